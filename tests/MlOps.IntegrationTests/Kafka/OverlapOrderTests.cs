using System.Collections.Concurrent;
using Confluent.Kafka;
using MlOps.Common.Kafka;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>
/// Overlapped batches keep their order when one cannot be prepared: that batch is handled whole, outside the
/// handler's two-stage chain, so no later batch may complete before it. (Found in review: a later batch applied
/// first, moved the Features fence past the failed one, and its retry skipped its events as already applied.)
/// </summary>
[Collection(StackCollection.Name)]
public sealed class OverlapOrderTests(StackFixture stack)
{
    [Fact]
    public async Task A_batch_handled_whole_after_its_prepare_failed_finishes_before_any_later_batch_completes()
    {
        var topic = await stack.CreateTopicAsync("overlap-order", partitions: 1);
        await RawMessages.ProduceAsync(stack.Endpoints.KafkaBootstrap, topic, 60);
        var handler = new FirstPrepareFails(expected: 60);
        await using (await WorkerHarness.StartAsync(stack, new ConsumerWorkerOptions
        {
            Name = "overlap-order", GroupId = StackFixture.NewGroupId("overlap-order"), Topics = [topic], MaxBatchSize = 10, OverlapBatches = true,
        }, handler))
        {
            await handler.AllDone.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        var log = handler.Log.ToList();
        var handledWhole = log.IndexOf("handle-end@0");
        var firstLaterCompletion = log.FindIndex(entry => entry.StartsWith("complete@", StringComparison.Ordinal));
        Assert.True(handledWhole >= 0 && firstLaterCompletion > handledWhole, string.Join(" ", log));
        Assert.False(handler.LaterCompletedDuringWholeHandling, string.Join(" ", log));
        Assert.Equal(60, handler.Handled);
    }

    private sealed class FirstPrepareFails(int expected) : IKafkaTwoStageBatchHandler
    {
        private readonly TaskCompletionSource _laterCompleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _prepares;
        private int _handled;

        public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> Log { get; } = new();

        public bool LaterCompletedDuringWholeHandling { get; private set; }

        public int Handled => Volatile.Read(ref _handled);

        public Task<object> PrepareAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            Log.Enqueue($"prepare@{batch[0].Offset.Value}");
            return Interlocked.Increment(ref _prepares) == 1
                ? throw new TimeoutException("fence read failed (a Redis blip)")
                : Task.FromResult<object>(batch);
        }

        public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            Log.Enqueue($"handle-start@{batch[0].Offset.Value}");
            // Holds the batch's effects back as a retry in backoff would, giving a wrongly started later batch 2 s
            // to complete first; in order, nothing completes meanwhile and the wait runs out.
            var completed = await Task.WhenAny(_laterCompleted.Task, Task.Delay(TimeSpan.FromSeconds(2), ct));
            LaterCompletedDuringWholeHandling = completed == _laterCompleted.Task;
            Log.Enqueue($"handle-end@{batch[0].Offset.Value}");
            Count(batch.Count);
            return [];
        }

        public Task<IReadOnlyList<PoisonMessage>> CompleteAsync(object prepared, CancellationToken ct)
        {
            var batch = (IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>)prepared;
            Log.Enqueue($"complete@{batch[0].Offset.Value}");
            _laterCompleted.TrySetResult();
            Count(batch.Count);
            return Task.FromResult<IReadOnlyList<PoisonMessage>>([]);
        }

        public void Reset() => Log.Enqueue("reset");

        private void Count(int messages)
        {
            if (Interlocked.Add(ref _handled, messages) >= expected)
            {
                AllDone.TrySetResult();
            }
        }
    }
}
