using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using static MlOps.Common.Kafka.ConsumerWorkerLog;

namespace MlOps.Common.Kafka;

/// <summary>
/// Offset bookkeeping of <see cref="KafkaConsumerWorker"/>, on its consumer thread: a batch whose effects are
/// durable has its offsets stored (and, with <see cref="ConsumerWorkerOptions.CommitEveryBatch"/>, committed); an
/// abandoned one is rewound so that it is read again.
/// </summary>
internal sealed class ConsumerOffsets(ConsumerWorkerOptions options, ILogger logger)
{
    /// <summary>Seeks each partition of an abandoned batch back to its first message, so it is read again.</summary>
    public void Rewind(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch)
    {
        foreach (var first in batch.GroupBy(m => m.TopicPartition).Select(g => g.MinBy(m => m.Offset.Value)!))
        {
            try
            {
                consumer.Seek(first.TopicPartitionOffset);
            }
            catch (KafkaException ex)
            {
                // No longer assigned: the new owner starts from the committed offset anyway.
                LogKafkaError(logger, options.Name, ex.Error.Code, ex.Error.Reason);
            }
        }
    }

    public void StoreAndCommit(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch)
    {
        foreach (var last in batch.GroupBy(m => m.TopicPartition).Select(g => g.MaxBy(m => m.Offset.Value)!))
        {
            try
            {
                consumer.StoreOffset(last);
            }
            catch (KafkaException ex)
            {
                // Revoked between processing and storing: the new owner reprocesses (a duplicate, never a loss).
                LogKafkaError(logger, options.Name, ex.Error.Code, ex.Error.Reason);
            }
        }
        if (!options.CommitEveryBatch)
        {
            return;
        }
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            // Nothing stored, a rebalance in progress, or the coordinator moving: the stored offsets go out with
            // the next commit, the auto-commit interval or Close().
            if (ex.Error.Code != ErrorCode.Local_NoOffset)
            {
                LogCommitDeferred(logger, options.Name, ex.Error.Code);
            }
        }
    }
}
