using System.Net;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using StackExchange.Redis;

namespace MlOps.UnitTests.Kafka;

public sealed class TransientErrorsTests
{
    public static TheoryData<Exception, bool> Cases() => new()
    {
        { new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "reset"), true },
        { new TimeoutException(), true },
        { new HttpRequestException("registry down"), true },
        { new KafkaException(ErrorCode.Local_Transport), true },
        { new KafkaException(ErrorCode.NotLeaderForPartition), true },
        { new KafkaException(ErrorCode.MsgSizeTooLarge), false },
        { new KafkaException(ErrorCode.TopicAuthorizationFailed), false },
        { new RedisServerException(RedisErrorKind.Loading, CommandFlags.None, "LOADING Redis is loading the dataset in memory"), true },
        { new RedisServerException(RedisErrorKind.ReadOnly, CommandFlags.None, "READONLY You can't write against a read only replica."), true },
        { new RedisServerException(RedisErrorKind.WrongType, CommandFlags.None, "WRONGTYPE Operation against a key holding the wrong kind of value"), false },
        { new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50001), true },
        { new SchemaRegistryException("Schema not found", HttpStatusCode.NotFound, 40403), false },
        { new KafkaException(new Error(ErrorCode.Local_Fatal, "fatal", isFatal: true)), false },
        { new InvalidOperationException("wrapped", new TimeoutException()), true },
        { new FormatException("bad input"), false },
        { new PoisonMessageException("invalid"), false },
        { new TransientFailureException("the fence of t[0] kept moving during 10 attempts"), true },
        { new AggregateException(new TimeoutException(), new FormatException()), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_dependency_failures_are_transient(Exception error, bool transient) =>
        Assert.Equal(transient, TransientErrors.IsTransient(error));
}
