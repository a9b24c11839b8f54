using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// Writes predictions to mlops.predictions, keyed by prediction id (the label join key), with lineage headers.
/// Completes when Kafka acknowledged every record: the caller answers or stores offsets only then.
/// </summary>
public sealed class PredictionLog(AvroPublisher publisher)
{
    public string Topic { get; init; } = TopicCatalog.Predictions;

    public async Task WriteAsync(IEnumerable<Prediction> predictions, CancellationToken ct)
    {
        var sends = new List<Task>();
        foreach (var prediction in predictions)
        {
            var headers = LineageHeaders.Create(
                prediction.lineage.source_topic ?? "http", prediction.lineage.source_partition, prediction.lineage.source_offset,
                prediction.spec_version, $"{prediction.model_name}:{prediction.model_version}", prediction.lineage.traceparent);
            sends.Add(publisher.PublishAsync(Topic, prediction.prediction_id, prediction, headers, ct));
        }
        publisher.SendNow();
        await Task.WhenAll(sends);
    }
}
