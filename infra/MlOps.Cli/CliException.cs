namespace MlOps.Cli;

/// <summary>A user-facing error: printed without a stack trace, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);
