using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;
using MlOps.Features;
using MlOps.Features.Store;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Features;

/// <summary>
/// The update log keeps batch order across a failure: a batch whose predecessor failed before producing its records
/// is abandoned (re-read after the predecessor's retry) instead of logging ahead of it, which would leave the older
/// state as an entity's last record (found in review).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class UpdateLogOrderTests(StackFixture stack)
{
    [Fact]
    public async Task A_batch_whose_predecessor_failed_before_producing_is_abandoned_without_producing_its_records()
    {
        var scenario = FeatureScenario.Create(0, seed: 13);
        var topic = $"it.updates.{scenario.Run}";
        await using var redis = await stack.ConnectRedisAsync();
        using var registry = stack.NewRegistryClient();
        using var producer = new KafkaProducer(Options.Create(stack.Kafka), NullLogger<KafkaProducer>.Instance);
        var updates = new FeatureUpdatePublisher(redis, new AvroPublisher(producer, registry), TimeProvider.System);
        var writer = new RedisFeatureWriter(redis);
        var plan = FeaturePlanner.Plan(scenario.Catalog, topic, 0, Fence.Start, [Departure(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds())]);
        Assert.True((await writer.ApplyAsync(plan)).Applied);
        var traces = new Dictionary<(string Topic, int Partition), string?>();

        var produced = false;
        var failedBefore = Task.FromException(new TimeoutException("the update log read timed out"));
        var error = await Assert.ThrowsAsync<KafkaBatchAbandonedException>(() =>
            updates.PublishAsync(updates.QueueReadBack([plan]), scenario.Spec, traces, failedBefore, () => produced = true, CancellationToken.None));
        Assert.False(produced);
        Assert.Contains("TimeoutException: the update log read timed out", error.Message, StringComparison.Ordinal);

        // The same batch after a predecessor that produced: its records go out and are acknowledged.
        await updates.PublishAsync(updates.QueueReadBack([plan]), scenario.Spec, traces, Task.CompletedTask, () => produced = true, CancellationToken.None);
        Assert.True(produced);
    }

    private static MlOps.Features.Store.FeatureEvent Departure(long eventTimeMs) => new(
        0, "flight_departure", eventTimeMs,
        new Dictionary<string, object?> { ["origin"] = "JFK", ["destination"] = "LAX", ["distance"] = 2475.0 });
}
