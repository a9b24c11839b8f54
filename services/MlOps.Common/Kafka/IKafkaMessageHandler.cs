using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>Processes one message; throws <see cref="PoisonMessageException"/> for input that can never succeed.</summary>
public interface IKafkaMessageHandler
{
    Task HandleAsync(ConsumeResult<byte[]?, byte[]?> message, CancellationToken ct);
}
