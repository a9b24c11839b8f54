using Confluent.Kafka;

namespace MlOps.UnitTests.Kafka;

/// <summary>
/// Stands in for the producer behind a <c>DeadLetterPublisher</c>: each attempt is refused with the error code the
/// script returns for it (by attempt number, from 1), or written when the script returns null.
/// </summary>
internal sealed class ScriptedBroker(Func<int, Message<byte[]?, byte[]?>, ErrorCode?> refuse)
{
    public List<(string Topic, Message<byte[]?, byte[]?> Message)> Written { get; } = [];

    public int Attempts { get; private set; }

    /// <summary>Attempts made without the record's value (the publisher's fallback for a value the broker refuses).</summary>
    public int ValueLessAttempts { get; private set; }

    public Task ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken ct)
    {
        var attempt = ++Attempts;
        if (message.Value is null)
        {
            ValueLessAttempts++;
        }
        if (refuse(attempt, message) is { } code)
        {
            throw new ProduceException<byte[]?, byte[]?>(new Error(code), new DeliveryResult<byte[]?, byte[]?> { Topic = topic, Message = message });
        }
        Written.Add((topic, message));
        return Task.CompletedTask;
    }
}
