using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// Writes predictions to mlops.predictions, keyed by prediction id (the label join key), with lineage headers.
/// Completes when Kafka acknowledged every record: the caller answers or stores offsets only then.
/// </summary>
public sealed class PredictionLog(AvroPublisher publisher, ILogger<PredictionLog> logger)
{
    public string Topic { get; init; } = TopicCatalog.Predictions;

    public async Task WriteAsync(IEnumerable<Prediction> predictions, CancellationToken ct)
    {
        var records = new List<(string Key, byte[] Value, Confluent.Kafka.Headers Headers)>();
        foreach (var prediction in predictions)
        {
            var headers = LineageHeaders.Create(
                prediction.lineage.source_topic ?? "http", prediction.lineage.source_partition, prediction.lineage.source_offset,
                prediction.spec_version, prediction.ModelKey, prediction.lineage.traceparent);
            records.Add((prediction.prediction_id, await publisher.SerializeAsync(Topic, prediction, headers), headers));
        }
        var acknowledged = publisher.ProduceAllAsync(Topic, records);
        publisher.SendNow();
        await acknowledged.WaitAsync(ct);
    }

    /// <summary>
    /// Writes in the background (the producer retries until its delivery timeout and is flushed on shutdown); a write
    /// that still fails is counted and logged with the prediction ids, never dropped silently.
    /// </summary>
    public void WriteInBackground(IReadOnlyList<Prediction> predictions) =>
        _ = WriteAsync(predictions, CancellationToken.None).ContinueWith(write =>
        {
            InferenceMetrics.LogFailures.Inc(predictions.Count);
            logger.LogError(write.Exception, "Logging {Count} answered predictions to {Topic} failed: {Ids}",
                predictions.Count, Topic, string.Join(", ", predictions.Select(p => p.prediction_id)));
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
