using System.Collections.Concurrent;
using Confluent.Kafka;
using MlOps.Common.Kafka;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>Stopping a worker finishes the batch in progress and commits it before the consumer closes.</summary>
[Collection(StackCollection.Name)]
public sealed class ShutdownTests(StackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // commits left to librdkafka: Close() must commit what was stored
    public async Task Stop_drains_the_batch_in_progress_and_commits_it(bool commitEveryBatch)
    {
        const int messages = 400;
        var topic = await stack.CreateTopicAsync("drain", partitions: 2);
        var group = StackFixture.NewGroupId("drain");
        await RawMessages.ProduceAsync(stack.Endpoints.KafkaBootstrap, topic, messages);
        var handler = new GatedHandler();
        await using var harness = await WorkerHarness.StartAsync(stack, new ConsumerWorkerOptions
        {
            Name = "drain-test",
            GroupId = group,
            Topics = [topic],
            MaxBatchSize = 100,
            CommitEveryBatch = commitEveryBatch,
        }, handler);

        // The second batch is held inside the handler while shutdown starts.
        await handler.SecondBatchStarted.Task.WaitAsync(Timeout);
        var stopping = harness.Worker.StopAsync(CancellationToken.None);
        Assert.False(stopping.IsCompleted, "stop waits for the batch in progress");
        handler.Release.SetResult();
        await stopping.WaitAsync(Timeout);

        var processed = handler.Processed.ToArray();
        var committed = RawMessages.Committed(stack.Endpoints.KafkaBootstrap, group, topic, 2);
        foreach (var partition in processed.GroupBy(m => m.Partition))
        {
            Assert.Equal(partition.Max(m => m.Offset) + 1, committed[partition.Key]);
        }
        Assert.True(processed.Length >= 2, "at least the two batches were processed");
        Assert.Equal(processed.Length, processed.Distinct().Count());
    }

    private sealed class GatedHandler : IKafkaBatchHandler
    {
        private int _batches;

        public ConcurrentQueue<(int Partition, long Offset)> Processed { get; } = new();
        public TaskCompletionSource SecondBatchStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _batches) == 2)
            {
                SecondBatchStarted.SetResult();
                await Release.Task.WaitAsync(ct);
            }
            foreach (var message in batch)
            {
                Processed.Enqueue((message.Partition.Value, message.Offset.Value));
            }
            return [];
        }
    }
}
