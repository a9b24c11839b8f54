using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>
/// Processes a batch of raw Kafka messages. When the returned task completes, every effect of the batch must be
/// durable (Redis written, outputs acknowledged by Kafka): the worker then stores the offsets.
/// Return the messages that are poison; throw for a failure of the whole batch (it is retried, then isolated).
/// </summary>
public interface IKafkaBatchHandler
{
    Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct);
}

/// <summary>
/// A batch handler in two stages, for <see cref="ConsumerWorkerOptions.OverlapBatches"/>: <see cref="PrepareAsync"/>
/// has no external effect (decoding, planning) and runs on the consumer thread while the previous batch's effects
/// are still in flight; <see cref="CompleteAsync"/> makes the batch's effects durable. The worker completes batches
/// one at a time and in order, and stores a batch's offsets only after its completion; a batch whose completion
/// fails is retried through <see cref="IKafkaBatchHandler.HandleAsync"/> (so that must stay idempotent, as it is
/// for any batch handler), and a batch prepared behind a failed one is discarded and re-read.
/// Up to two prepared batches complete at once: <see cref="CompleteAsync"/> is called in batch order on the
/// consumer thread, and the handler must not let a batch's effects start before the previous batch's effects
/// that later ones rest on succeeded; when they did not, it throws <see cref="KafkaBatchAbandonedException"/>
/// (the batch is then re-read, not retried).
/// </summary>
public interface IKafkaTwoStageBatchHandler : IKafkaBatchHandler
{
    /// <summary>Work with no external effect. Throwing sends the batch down the <see cref="IKafkaBatchHandler.HandleAsync"/> path.</summary>
    Task<object> PrepareAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct);

    /// <summary>The effects of a prepared batch, durable when the task completes; returns the poison messages.</summary>
    Task<IReadOnlyList<PoisonMessage>> CompleteAsync(object prepared, CancellationToken ct);

    /// <summary>
    /// The worker abandoned the batches prepared or in flight and will re-read them (one failed): forget what
    /// preparing and completing assumed about the batches before (the next batch does not queue behind them).
    /// Called on the consumer thread once none of them is running.
    /// </summary>
    void Reset();
}

/// <summary>Thrown by <see cref="IKafkaTwoStageBatchHandler.CompleteAsync"/> when the batch before failed: re-read this one after it, do not retry it.</summary>
public sealed class KafkaBatchAbandonedException(string message) : Exception(message);
