using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>A message that cannot be processed, and why. The worker sends it to the topic's dead-letter topic.</summary>
public sealed record PoisonMessage(ConsumeResult<byte[]?, byte[]?> Message, string Reason, Exception? Error = null);
