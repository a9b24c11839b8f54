using System.Diagnostics;
using Confluent.Kafka;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.Inference;

/// <summary>
/// The Kafka path: scores the validated events of every type some deployment scores, one micro-batch at a time
/// (one feature read and one ONNX run per model per batch), and logs the predictions. Two stages: decoding and
/// scoring (no external effect) run while the previous batch's predictions are being acknowledged; offsets are
/// stored by the worker, in order, only after Kafka acknowledged a batch's predictions. Nothing is handled before the
/// registry and deployments were read. Events of other types are counted and skipped; undecodable input is
/// dead-lettered.
/// </summary>
public sealed class ValidatedEventsScorer(
    GuardedAvroDeserializer<EventEnvelope> deserializer,
    ServingState state,
    RegistryWatcher registry,
    Scorer scorer,
    PredictionLog log) : IKafkaTwoStageBatchHandler
{
    public const string Path = "kafka";

    private sealed record ScoredBatch(IReadOnlyList<PoisonMessage> Poison, IReadOnlyList<Prediction> Predictions);

    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct) =>
        await CompleteAsync(await PrepareAsync(batch, ct), ct);

    public async Task<IReadOnlyList<PoisonMessage>> CompleteAsync(object prepared, CancellationToken ct)
    {
        var scored = (ScoredBatch)prepared;
        var started = Stopwatch.GetTimestamp();
        await log.WriteAsync(scored.Predictions, ct);
        InferenceMetrics.BatchPhaseSeconds.WithLabels("log").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return scored.Poison;
    }

    /// <summary>Batches are independent: nothing carries over from one to the next.</summary>
    public void Reset()
    {
    }

    public async Task<object> PrepareAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        // Until the deployments are known, no event can be told apart from one nobody scores: wait, don't skip.
        await registry.CaughtUp.WaitAsync(ct);
        var started = Stopwatch.GetTimestamp();
        var poison = new List<PoisonMessage>();
        var requests = new List<ScoringRequest>(batch.Count);
        var targets = state.Current.EventTypes;
        foreach (var message in batch)
        {
            if (await deserializer.DecodeOrPoisonAsync(message, poison, ct) is not { } envelope)
            {
                continue;
            }
            if (!targets.Contains(envelope.event_type))
            {
                InferenceMetrics.NotDeployed.Inc();
                continue;
            }
            requests.Add(new ScoringRequest(
                envelope.event_id,
                null,
                envelope.tenant_id,
                envelope.entity_id,
                envelope.event_type,
                new DateTimeOffset(DateTime.SpecifyKind(envelope.event_time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
                envelope.attributes is null ? new Dictionary<string, object?>() : envelope.attributes.AsReadOnly()!,
                new ScoringSource(message.Topic, message.Partition.Value, message.Offset.Value,
                    LineageHeaders.Get(message.Message.Headers, LineageHeaders.TraceParent))));
        }
        InferenceMetrics.BatchPhaseSeconds.WithLabels("decode").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (requests.Count == 0)
        {
            return new ScoredBatch(poison, []);
        }
        started = Stopwatch.GetTimestamp();
        var outcomes = await scorer.ScoreAsync(requests, Path, ct);
        // A deployment retired between the type check and routing leaves its events unscored: count them.
        InferenceMetrics.NotDeployed.Inc(outcomes.Count(o => o.Prediction is null));
        InferenceMetrics.BatchPhaseSeconds.WithLabels("score").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return new ScoredBatch(poison, outcomes.SelectMany(o => o.Logged).ToList());
    }
}
