using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>
/// The batches in flight with <see cref="ConsumerWorkerOptions.OverlapBatches"/>: a batch's effects are made durable
/// while the next one is consumed and prepared. Everything here runs on the worker's consumer thread, which blocks
/// on a batch in flight only to finish it; offsets are stored oldest batch first.
/// </summary>
internal sealed class OverlappedBatches(IKafkaBatchHandler handler, BatchProcessor processor, ConsumerOffsets offsets)
{
    public const int MaxInFlight = 2;

    // Oldest first; at most MaxInFlight with OverlapBatches, else empty.
    private readonly List<InFlight> _inFlight = [];

    /// <summary>A batch whose effects are being made durable while the next one is consumed and prepared.</summary>
    private sealed record InFlight(List<ConsumeResult<byte[]?, byte[]?>> Batch, Task<bool> Done);

    public bool IsEmpty => _inFlight.Count == 0;

    /// <summary>True when the oldest batch in flight is done, so the consume loop should stop waiting and finish it.</summary>
    public bool OldestDone => _inFlight is [{ Done.IsCompleted: true }, ..];

    /// <summary>Messages of the batches in flight, as they stand when stopping gives up on them.</summary>
    public int PendingMessages => _inFlight.Sum(f => f.Batch.Count);

    /// <summary>Idle: nothing new was consumed because the oldest in flight is done; finishes it.</summary>
    public void FinishIdle(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (FinishOldest(consumer) is { } idleFailed)
        {
            RewindOverlapped(consumer, idleFailed);
        }
    }

    /// <summary>
    /// The batch just consumed is prepared while up to <see cref="MaxInFlight"/> earlier ones are still completing
    /// (a two-stage handler orders their stages: a batch's effects start only after the one before applied its
    /// own); then the oldest is finished if the window is full (offsets stored in order) and this one started. A
    /// batch the handler could not prepare is handled whole, alone: after every earlier one and before any later
    /// one. If a batch has to be re-read, so do all after it (they are rewound to their first offsets together).
    /// </summary>
    public void Start(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken drain)
    {
        var prepared = processor.Prepare(batch, drain);
        List<ConsumeResult<byte[]?, byte[]?>>? failed = null;
        if (prepared is null)
        {
            failed = FinishAll(consumer);
        }
        while (failed is null && _inFlight.Count >= MaxInFlight)
        {
            failed = FinishOldest(consumer);
        }
        if (failed is not null)
        {
            RewindOverlapped(consumer, [.. failed, .. batch]);
            return;
        }
        // Started on this thread: the handler's synchronous start (where it queues behind the batch before) runs in order.
        _inFlight.Add(new InFlight(batch, processor.ProcessBatchAsync(batch, prepared, drain)));
        if (prepared is null && FinishAll(consumer) is { } wholeFailed)
        {
            // Handled whole, the batch is outside the handler's stage chain: a later batch started now could apply
            // first (moving a fence past it, so its retry would skip its events as already applied). It finishes,
            // retries included, before the next batch is prepared.
            RewindOverlapped(consumer, wholeFailed);
        }
    }

    /// <summary>Rewinds batches abandoned together (none is running any more) and tells a two-stage handler.</summary>
    public void RewindOverlapped(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batches)
    {
        (handler as IKafkaTwoStageBatchHandler)?.Reset();
        offsets.Rewind(consumer, batches);
    }

    /// <summary>Finishes every batch in flight, oldest first; returns what must be re-read, if anything.</summary>
    public List<ConsumeResult<byte[]?, byte[]?>>? FinishAll(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_inFlight.Count > 0)
        {
            if (FinishOldest(consumer) is { } failed)
            {
                return failed;
            }
        }
        return null;
    }

    /// <summary>
    /// Waits for the oldest batch in flight and stores its offsets; if it must be re-read, waits for the later ones
    /// too and returns them all (not yet rewound), since their effects may rest on it.
    /// </summary>
    private List<ConsumeResult<byte[]?, byte[]?>>? FinishOldest(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_inFlight.Count == 0)
        {
            return null;
        }
        var oldest = _inFlight[0];
        // Blocks this thread, which exists to run the consume loop; a failure of the task propagates as before.
        var done = oldest.Done.GetAwaiter().GetResult();
        _inFlight.RemoveAt(0);
        if (done)
        {
            offsets.StoreAndCommit(consumer, oldest.Batch);
            return null;
        }
        var failed = new List<ConsumeResult<byte[]?, byte[]?>>(oldest.Batch);
        foreach (var later in _inFlight)
        {
            later.Done.GetAwaiter().GetResult();
            failed.AddRange(later.Batch);
        }
        _inFlight.Clear();
        return failed;
    }
}
