using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP as a cancellation token for the lifetime of a command, so Ctrl+C ends it through its
/// own cleanup (flush, stop what it started) instead of killing the process.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public TerminationSignals()
    {
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, Cancel))];
    }

    public CancellationToken Token => _stop.Token;

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }
}
