using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>Runs a per-message handler over a batch, in order, collecting the poison messages.</summary>
public sealed class MessageHandlerBatchAdapter(IKafkaMessageHandler inner) : IKafkaBatchHandler
{
    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        List<PoisonMessage>? poison = null;
        foreach (var message in batch)
        {
            try
            {
                await inner.HandleAsync(message, ct);
            }
            catch (PoisonMessageException ex)
            {
                (poison ??= []).Add(new PoisonMessage(message, ex.Message, ex.InnerException ?? ex));
            }
        }
        return (IReadOnlyList<PoisonMessage>?)poison ?? [];
    }
}
