namespace MlOps.Common.Kafka;

/// <summary>A batch kept failing transiently for longer than MaxTransientRetry: the worker re-reads it from Kafka.</summary>
internal sealed class TransientRetryExhaustedException(Exception last) : Exception("transient failures outlasted MaxTransientRetry", last);
