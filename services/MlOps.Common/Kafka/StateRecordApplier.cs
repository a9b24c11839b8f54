using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using MlOps.Common.Avro;

namespace MlOps.Common.Kafka;

/// <summary>
/// Applies one record of a state topic that a watcher replays from its beginning (the model registry, deployments,
/// rollouts). Nothing is skipped silently: a record that is undecodable, or cannot be applied, is dead-lettered with
/// the reason and the watcher moves on; a transient failure (schema registry or Kafka unavailable, a <c>.dlq</c> topic
/// that refuses the dead letter) seeks back to the record, so it is read again after the caller's pause. Nothing one
/// record throws ends the watcher: its task faulting would stop the host, and the compacted topic would replay the
/// same record on every restart.
/// </summary>
public sealed class StateRecordApplier(DeadLetterPublisher deadLetters, ILogger logger)
{
    /// <summary>Applies the record with <paramref name="apply"/>, which runs on the watcher's own (blocking) thread.</summary>
    public StateRecordOutcome Apply(
        IConsumer<byte[]?, byte[]?> consumer, ConsumeResult<byte[]?, byte[]?> result, string group, Action apply, CancellationToken ct)
    {
        try
        {
            apply();
            return StateRecordOutcome.Applied;
        }
        catch (Exception ex) when (OnRecordFailure(ex, ct) == RecordFailure.Retry)
        {
            return ReadAgain(consumer, result, ex, "Applying");
        }
        catch (Exception ex) when (OnRecordFailure(ex, ct) == RecordFailure.Skip)
        {
            var (outcome, reason) = ex is AvroPayloadRejectedException poison
                ? (StateRecordOutcome.Poison, poison.Reason)
                : (StateRecordOutcome.Failed, $"cannot be applied: {ex.GetType().Name}: {ex.Message}");
            logger.LogError(ex, "Record at {Topic}[{Partition}]@{Offset} {Reason}; dead-lettering and skipping it",
                result.Topic, result.Partition.Value, result.Offset.Value, outcome == StateRecordOutcome.Poison ? "is undecodable: " + reason : reason);
            try
            {
                deadLetters.PublishAsync(new PoisonMessage(result, reason, ex), group, ct).GetAwaiter().GetResult();
                return outcome;
            }
            catch (Exception dlq) when (OnRecordFailure(dlq, ct) == RecordFailure.Retry)
            {
                return ReadAgain(consumer, result, dlq, "Dead-lettering");
            }
        }
    }

    /// <summary>What a failure applying one record means for it (cancellation and OOM are nobody's to handle here).</summary>
    public static RecordFailure OnRecordFailure(Exception error, CancellationToken ct) =>
        error is OutOfMemoryException || (error is OperationCanceledException && ct.IsCancellationRequested) ? RecordFailure.Propagate
        : TransientErrors.IsTransient(error) ? RecordFailure.Retry
        : RecordFailure.Skip;

    private StateRecordOutcome ReadAgain(IConsumer<byte[]?, byte[]?> consumer, ConsumeResult<byte[]?, byte[]?> result, Exception error, string step)
    {
        logger.LogWarning(error, "{Step} {Topic}[{Partition}]@{Offset} failed transiently; reading it again",
            step, result.Topic, result.Partition.Value, result.Offset.Value);
        consumer.Seek(result.TopicPartitionOffset);
        return StateRecordOutcome.ReadAgain;
    }
}

/// <summary>What became of a state record.</summary>
public enum StateRecordOutcome
{
    Applied,

    /// <summary>Undecodable: dead-lettered and skipped.</summary>
    Poison,

    /// <summary>Decoded but could not be applied: dead-lettered and skipped.</summary>
    Failed,

    /// <summary>A transient failure: sought back to, to be read again after a pause.</summary>
    ReadAgain,
}

/// <summary>How a failure applying a state record is handled.</summary>
public enum RecordFailure
{
    /// <summary>Not the record's failure: thrown on to the loop.</summary>
    Propagate,

    /// <summary>A dependency is down (schema registry, Kafka): the record is read again after a pause.</summary>
    Retry,

    /// <summary>The record itself cannot be applied: dead-lettered and skipped.</summary>
    Skip,
}
