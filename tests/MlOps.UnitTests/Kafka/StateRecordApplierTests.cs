using System.Net;
using System.Reflection;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

/// <summary>
/// A watcher replaying a state topic (registry, rollouts) skips no record silently: the record's own failure is
/// dead-lettered with its reason, and a failure that is not the record's (a dependency down, a refusing .dlq topic)
/// seeks back to it so it is read again.
/// </summary>
public sealed class StateRecordApplierTests
{
    private static readonly ConsumeResult<byte[]?, byte[]?> Record = FakeMessages.At(5, topic: "mlops.rollouts");

    private static (StateRecordOutcome Outcome, List<TopicPartitionOffset> Seeks) Apply(ScriptedBroker broker, Exception thrown)
    {
        var consumer = SeekRecorder.Create();
        var applier = new StateRecordApplier(new DeadLetterPublisher(broker.ProduceAsync, TimeProvider.System), NullLogger.Instance);
        var outcome = applier.Apply(consumer, Record, "g", () => throw thrown, CancellationToken.None);
        return (outcome, ((SeekRecorder)(object)consumer).Seeks);
    }

    [Fact]
    public void An_undecodable_record_is_dead_lettered_with_its_reason_and_skipped()
    {
        var broker = new ScriptedBroker((_, _) => null);

        var (outcome, seeks) = Apply(broker, new AvroPayloadRejectedException("magic byte is 7, expected 0"));

        Assert.Equal(StateRecordOutcome.Poison, outcome);
        Assert.Empty(seeks);
        var (topic, written) = Assert.Single(broker.Written);
        Assert.Equal(("mlops.rollouts.dlq", "magic byte is 7, expected 0"), (topic, LineageHeaders.Get(written.Headers, DeadLetterHeaders.Reason)));
    }

    [Fact]
    public void A_record_that_cannot_be_applied_is_dead_lettered_naming_the_error()
    {
        var broker = new ScriptedBroker((_, _) => null);

        var (outcome, _) = Apply(broker, new InvalidOperationException("no such stage"));

        Assert.Equal(StateRecordOutcome.Failed, outcome);
        Assert.Equal("cannot be applied: InvalidOperationException: no such stage",
            LineageHeaders.Get(Assert.Single(broker.Written).Message.Headers, DeadLetterHeaders.Reason));
    }

    [Fact]
    public void A_dead_letter_the_dlq_topic_refuses_leaves_the_record_to_be_read_again()
    {
        var broker = new ScriptedBroker((_, _) => ErrorCode.TopicAuthorizationFailed);

        var (outcome, seeks) = Apply(broker, new AvroPayloadRejectedException("truncated"));

        Assert.Equal(StateRecordOutcome.ReadAgain, outcome);
        Assert.Equal([Record.TopicPartitionOffset], seeks);
        Assert.Empty(broker.Written);
    }

    [Fact]
    public void A_schema_registry_outage_leaves_the_record_to_be_read_again_not_dead_lettered()
    {
        var broker = new ScriptedBroker((_, _) => null);

        var (outcome, seeks) = Apply(broker, new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50300));

        Assert.Equal(StateRecordOutcome.ReadAgain, outcome);
        Assert.Equal([Record.TopicPartitionOffset], seeks);
        Assert.Empty(broker.Written);
    }

    /// <summary>A consumer that records where it was sought to; nothing else of it is used here.</summary>
    public class SeekRecorder : DispatchProxy
    {
        public List<TopicPartitionOffset> Seeks { get; } = [];

        public static IConsumer<byte[]?, byte[]?> Create() => DispatchProxy.Create<IConsumer<byte[]?, byte[]?>, SeekRecorder>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IConsumer<byte[], byte[]>.Seek))
            {
                throw new NotSupportedException(targetMethod?.Name);
            }
            Seeks.Add((TopicPartitionOffset)args![0]!);
            return null;
        }
    }
}
