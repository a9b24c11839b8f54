using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Kafka;

/// <summary>
/// The log messages of <see cref="KafkaConsumerWorker"/> and the pieces it runs on its consumer thread; they log
/// through the worker's own logger, so the category stays the worker's.
/// </summary>
internal static partial class ConsumerWorkerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} started on {Topics} as group {Group}")]
    public static partial void LogStarted(ILogger logger, string worker, string topics, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer {Worker} stopped and committed")]
    public static partial void LogStopped(ILogger logger, string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} stopped with {Count} messages unfinished; they will be redelivered")]
    public static partial void LogAbandoned(ILogger logger, string worker, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} Kafka error {Code}: {Reason}")]
    public static partial void LogKafkaError(ILogger logger, string worker, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Consumer {Worker} commit deferred: {Code}")]
    public static partial void LogCommitDeferred(ILogger logger, string worker, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    public static partial void LogDeadLettered(ILogger logger, string worker, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer {Worker} cannot write to dead-letter topic {DeadLetterTopic} ({Code}): {Topic}[{Partition}]@{Offset} and its batch stay uncommitted and are retried until the topic accepts it")]
    public static partial void LogDeadLetterBlocked(ILogger logger, Exception error, string worker, string deadLetterTopic, string topic, int partition, long offset, ErrorCode code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} could not prepare a batch of {Count} ({Type}: {Error}); handling it whole")]
    public static partial void LogPrepareFailed(ILogger logger, string worker, int count, string type, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} prepared batch of {Count} failed ({Type}: {Error}); retrying it whole")]
    public static partial void LogPreparedFailed(ILogger logger, string worker, int count, string type, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer {Worker} gives up {Count} messages after transient failures ({Error}); re-reading them")]
    public static partial void LogRewinding(ILogger logger, string worker, int count, string error);
}
