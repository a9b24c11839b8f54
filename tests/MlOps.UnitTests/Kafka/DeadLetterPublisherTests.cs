using Confluent.Kafka;
using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

/// <summary>
/// Only a refusal of the record itself may cost the dead letter its value; a refusal of the topic (missing,
/// unauthorised, or any error not known to be about the record) must reach the worker, which then does not commit.
/// </summary>
public sealed class DeadLetterPublisherTests
{
    private static readonly PoisonMessage Poison = new(FakeMessages.At(7, topic: "orders"), "undecodable");

    private static Task PublishAsync(ScriptedBroker broker) =>
        new DeadLetterPublisher(broker.ProduceAsync, TimeProvider.System).PublishAsync(Poison, "group", CancellationToken.None);

    [Theory]
    [InlineData(ErrorCode.MsgSizeTooLarge)]
    [InlineData(ErrorCode.RecordListTooLarge)]
    [InlineData(ErrorCode.InvalidMsgSize)]
    [InlineData(ErrorCode.InvalidRecord)]
    [InlineData(ErrorCode.InvalidMsg)]
    public async Task A_record_refused_for_itself_is_dead_lettered_without_its_value_saying_why(ErrorCode code)
    {
        var broker = new ScriptedBroker((_, message) => message.Value is null ? null : code);

        await PublishAsync(broker);

        var (topic, written) = Assert.Single(broker.Written);
        Assert.Equal("orders.dlq", topic);
        Assert.Null(written.Value);
        Assert.Equal($"3 bytes refused: {code}", LineageHeaders.Get(written.Headers, DeadLetterHeaders.ValueDropped));
        Assert.Equal("undecodable", LineageHeaders.Get(written.Headers, DeadLetterHeaders.Reason));
    }

    [Theory]
    [InlineData(ErrorCode.UnknownTopicOrPart)]
    [InlineData(ErrorCode.TopicAuthorizationFailed)]
    [InlineData(ErrorCode.Local_UnknownTopic)]
    [InlineData(ErrorCode.PolicyViolation)] // not known to be about the record: treated as the topic's
    public async Task A_dead_letter_topic_that_refuses_is_a_blocking_failure_naming_the_topic_not_a_reason_to_drop_the_value(ErrorCode code)
    {
        var broker = new ScriptedBroker((_, _) => code);

        var error = await Assert.ThrowsAnyAsync<KafkaException>(() => PublishAsync(broker));

        Assert.Equal(1, broker.Attempts);
        Assert.Equal(0, broker.ValueLessAttempts);
        Assert.Equal(code, error.Error.Code);
        Assert.Contains("orders.dlq", error.Message, StringComparison.Ordinal);
        Assert.Contains("orders[0]@7", error.Message, StringComparison.Ordinal);
        Assert.True(TransientErrors.IsTransient(error), "the worker retries it and then re-reads the batch");
    }

    [Fact]
    public async Task When_even_the_value_less_dead_letter_is_refused_the_failure_blocks_too()
    {
        var broker = new ScriptedBroker((_, _) => ErrorCode.MsgSizeTooLarge);

        var error = await Assert.ThrowsAnyAsync<KafkaException>(() => PublishAsync(broker));

        Assert.Equal(2, broker.Attempts);
        Assert.Contains("orders.dlq", error.Message, StringComparison.Ordinal);
        Assert.True(TransientErrors.IsTransient(error));
    }

    [Fact]
    public async Task A_transient_failure_is_passed_on_as_it_is_for_the_caller_to_retry()
    {
        var broker = new ScriptedBroker((_, _) => ErrorCode.Local_MsgTimedOut);

        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => PublishAsync(broker));

        Assert.Equal(ErrorCode.Local_MsgTimedOut, error.Error.Code);
        Assert.Equal(0, broker.ValueLessAttempts);
    }
}
