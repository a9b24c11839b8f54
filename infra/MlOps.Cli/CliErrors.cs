using Confluent.Kafka;

namespace MlOps.Cli;

/// <summary>Library exceptions the CLI turns into one-line errors.</summary>
internal static class CliErrors
{
    /// <summary>A topic read that stalled (<see cref="TimeoutException"/>) or that Kafka refused.</summary>
    public static CliException Reading(Exception ex) =>
        new(ex is KafkaException kafka ? $"reading from Kafka failed: {kafka.Error.Reason}" : ex.Message);
}
