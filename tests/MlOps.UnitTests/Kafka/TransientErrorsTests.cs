using Confluent.Kafka;
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
        { new KafkaException(new Error(ErrorCode.Local_Fatal, "fatal", isFatal: true)), false },
        { new InvalidOperationException("wrapped", new TimeoutException()), true },
        { new FormatException("bad input"), false },
        { new PoisonMessageException("invalid"), false },
        { new AggregateException(new TimeoutException(), new FormatException()), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_dependency_failures_are_transient(Exception error, bool transient) =>
        Assert.Equal(transient, TransientErrors.IsTransient(error));
}
