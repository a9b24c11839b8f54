using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MlOps.Stack;

/// <summary>
/// The last <see cref="Capacity"/> log lines of a hosted service at Warning and above, kept in memory so a test that
/// times out can say what the service complained about (its console is not part of a test's output).
/// </summary>
public sealed class RecentLogs : ILoggerProvider
{
    public const int Capacity = 200;

    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>The kept lines, oldest first: "HH:mm:ss.fff Level Category: message[ exception]".</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecentLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var error = exception is null ? "" : $" {exception.GetType().Name}: {exception.Message}";
                logs.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{error}");
            }
        }
    }
}
