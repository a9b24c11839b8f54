using System.Collections.Frozen;
using System.Net;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using StackExchange.Redis;

namespace MlOps.Common.Kafka;

/// <summary>
/// Failures that say nothing about the message: a dependency is down, slow or failing over. The worker retries
/// these (the partition waits, nothing is dead-lettered); anything else counts against the message.
/// </summary>
public static class TransientErrors
{
    private static readonly FrozenSet<ErrorCode> TransientKafkaCodes = new[]
    {
        ErrorCode.Local_MsgTimedOut, ErrorCode.Local_Transport, ErrorCode.Local_AllBrokersDown, ErrorCode.Local_TimedOut,
        ErrorCode.Local_QueueFull, ErrorCode.Local_WaitCoord, ErrorCode.RequestTimedOut, ErrorCode.NetworkException,
        ErrorCode.BrokerNotAvailable, ErrorCode.LeaderNotAvailable, ErrorCode.NotLeaderForPartition,
        ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicasAfterAppend, ErrorCode.GroupCoordinatorNotAvailable,
        ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupLoadInProgress, ErrorCode.KafkaStorageError,
    }.ToFrozenSet();

    // Redis answers these while loading, failing over, busy or out of memory; they pass once the server recovers.
    private static readonly FrozenSet<RedisErrorKind> TransientRedisErrors = new[]
    {
        RedisErrorKind.Loading, RedisErrorKind.ReadOnly, RedisErrorKind.MasterDown, RedisErrorKind.ClusterDown,
        RedisErrorKind.TryAgain, RedisErrorKind.NoReplicas, RedisErrorKind.Busy, RedisErrorKind.OutOfMemory,
        RedisErrorKind.MaxClients, RedisErrorKind.ConnectionFault, RedisErrorKind.Timeout,
    }.ToFrozenSet();

    public static bool IsTransient(Exception error) => error switch
    {
        TransientFailureException => true,
        // Not the message's fault: wait for the topic rather than lose the message; a fatal producer error stops the host.
        DeadLetterBlockedException blocked => !blocked.Error.IsFatal,
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException redis => TransientRedisErrors.Contains(redis.Kind),
        SchemaRegistryException registry => (int)registry.Status >= 500 || registry.Status == HttpStatusCode.TooManyRequests,
        HttpRequestException http => http.StatusCode is null || (int)http.StatusCode >= 500,
        KafkaException kafka => !kafka.Error.IsFatal && TransientKafkaCodes.Contains(kafka.Error.Code),
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => error.InnerException is not null && IsTransient(error.InnerException),
    };
}
