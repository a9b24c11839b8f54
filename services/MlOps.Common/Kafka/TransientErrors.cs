using Confluent.Kafka;
using StackExchange.Redis;

namespace MlOps.Common.Kafka;

/// <summary>
/// Failures that say nothing about the message: a dependency is down or slow. The worker retries these without
/// end (the partition waits, nothing is dead-lettered); anything else counts against the message.
/// </summary>
public static class TransientErrors
{
    public static bool IsTransient(Exception error) => error switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException or HttpRequestException => true,
        ProduceException<byte[]?, byte[]?> produce => !produce.Error.IsFatal,
        KafkaException kafka => !kafka.Error.IsFatal,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => error.InnerException is not null && IsTransient(error.InnerException),
    };
}
