using System.Net;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Inference.Serving;

namespace MlOps.UnitTests.Inference;

/// <summary>What the registry watcher does with a record it fails to apply: nothing one record throws may end it.</summary>
public sealed class RegistryWatcherTests
{
    [Theory]
    [InlineData(true, false, false)] // mid catch-up: a deployment may be read before its model version on another partition
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(false, false, false)]
    public void What_was_read_is_applied_only_once_every_partition_was_read_to_its_end(bool dirty, bool readToEnd, bool reconcile) =>
        Assert.Equal(reconcile, RegistryWatcher.ShouldReconcile(dirty, readToEnd));

    [Theory]
    [InlineData(typeof(UriFormatException))]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(NullReferenceException))]
    public void A_record_that_cannot_be_applied_is_skipped_not_thrown_to_the_host(Type error)
    {
        var thrown = (Exception)Activator.CreateInstance(error, "bad record")!;

        Assert.Equal(RecordFailure.Skip, StateRecordApplier.OnRecordFailure(thrown, CancellationToken.None));
    }

    [Fact]
    public void An_undecodable_record_is_skipped_after_dead_lettering()
    {
        var poison = new AvroPayloadRejectedException("magic byte is 7, expected 0");

        Assert.Equal(RecordFailure.Skip, StateRecordApplier.OnRecordFailure(poison, CancellationToken.None));
    }

    [Fact]
    public void A_schema_registry_or_kafka_outage_reads_the_record_again_rather_than_losing_it()
    {
        var registryDown = new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50300);
        var brokerDown = new KafkaException(ErrorCode.Local_AllBrokersDown);

        Assert.Equal(RecordFailure.Retry, StateRecordApplier.OnRecordFailure(registryDown, CancellationToken.None));
        Assert.Equal(RecordFailure.Retry, StateRecordApplier.OnRecordFailure(brokerDown, CancellationToken.None));
    }

    [Fact]
    public void Shutting_down_is_not_a_record_failure()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.Equal(RecordFailure.Propagate,
            StateRecordApplier.OnRecordFailure(new OperationCanceledException(stopping.Token), stopping.Token));
    }
}
