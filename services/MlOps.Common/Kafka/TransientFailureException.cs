namespace MlOps.Common.Kafka;

/// <summary>
/// A failure that says nothing about the messages being handled, such as state in a store that kept changing under
/// the handler. <see cref="TransientErrors"/> counts it as transient: the worker retries the batch and then re-reads
/// it, and never splits it to dead-letter messages that are valid. Open to subtypes that say more (which events
/// wait on what), so a caller can answer precisely while the worker still sees a transient failure.
/// </summary>
public class TransientFailureException(string message, Exception? inner = null) : Exception(message, inner);
