namespace MlOps.Common.Kafka;

/// <summary>Thrown by a per-message handler for input that will never succeed (undecodable, invalid): dead-letter it.</summary>
public sealed class PoisonMessageException(string reason, Exception? inner = null) : Exception(reason, inner);
