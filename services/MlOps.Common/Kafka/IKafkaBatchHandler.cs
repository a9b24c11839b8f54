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
