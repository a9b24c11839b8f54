using System.Collections.Concurrent;
using Confluent.Kafka;
using MlOps.Common.Kafka;
using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>
/// A second instance joining the group mid-stream (cooperative-sticky) takes partitions over without loss.
/// librdkafka's mock cluster completes a multi-member rebalance only after about a session timeout, so the
/// group runs with a short one here.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RebalanceTests(StackFixture stack, ITestOutputHelper output)
{
    private const int Messages = 3000;
    private const int BatchSize = 50;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_second_worker_joining_mid_stream_shares_the_partitions_and_nothing_is_lost()
    {
        var topic = await stack.CreateTopicAsync("rebalance", partitions: 6);
        var group = StackFixture.NewGroupId("rebalance");
        await RawMessages.ProduceAsync(stack.Endpoints.KafkaBootstrap, topic, Messages);
        var first = new SlowRecordingHandler();
        var second = new SlowRecordingHandler();

        var kafka = stack.Kafka;
        kafka.Consumer["session.timeout.ms"] = "6000";
        kafka.Consumer["heartbeat.interval.ms"] = "500";
        await using var a = await WorkerHarness.StartAsync(stack, Options("a", group, topic), first, kafka);
        await Eventually.MatchAsync(_ => Task.FromResult(first.Processed.Count), n => n >= 300, Timeout, "first worker under way");
        await using var b = await WorkerHarness.StartAsync(stack, Options("b", group, topic), second, kafka);
        var all = await Eventually.MatchAsync(
            _ => Task.FromResult(first.Processed.Concat(second.Processed).ToArray()),
            processed => processed.Distinct().Count() == Messages && !second.Processed.IsEmpty, Timeout,
            "every message processed, some by the second worker");

        // Duplicates come from commits the broker refuses while the group rebalances; they are reported, not bounded
        // here: the bound that matters (one batch after a crash) is AtLeastOnceCrashTests'.
        var duplicates = all.Length - all.Distinct().Count();
        output.WriteLine($"first {first.Processed.Count}, second {second.Processed.Count}, duplicates {duplicates}");
        Assert.NotEmpty(second.Processed);
        Assert.Equal(Messages, all.Distinct().Count());
    }

    private static ConsumerWorkerOptions Options(string name, string group, string topic) => new()
    {
        Name = "rebalance-" + name,
        GroupId = group,
        Topics = [topic],
        MaxBatchSize = BatchSize,
    };

    private sealed class SlowRecordingHandler : IKafkaBatchHandler
    {
        public ConcurrentQueue<(int Partition, long Offset)> Processed { get; } = new();

        public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            foreach (var message in batch)
            {
                Processed.Enqueue((message.Partition.Value, message.Offset.Value));
            }
            // A slow sink keeps the stream going while the second worker joins.
            await Task.Delay(TimeSpan.FromMilliseconds(batch.Count), ct);
            return [];
        }
    }
}
