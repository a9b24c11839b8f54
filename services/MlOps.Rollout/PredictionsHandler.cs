using Confluent.Kafka;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>
/// Counts predictions into the stage windows of active rollouts. The windows live in memory, so nothing here needs to
/// be durable before the offsets are stored; predictions made before a stage started never count towards it.
/// </summary>
public sealed class PredictionsHandler(GuardedAvroDeserializer<Prediction> deserializer, RolloutController controller) : IKafkaBatchHandler
{
    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var poison = new List<PoisonMessage>();
        foreach (var message in batch)
        {
            if (await deserializer.DecodeOrPoisonAsync(message, poison, ct) is not { } prediction)
            {
                continue;
            }
            RolloutMetrics.Predictions.WithLabels(controller.OnPrediction(prediction) ? "counted" : "ignored").Inc();
        }
        return poison;
    }
}
