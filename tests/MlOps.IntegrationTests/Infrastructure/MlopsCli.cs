using System.Diagnostics;
using MlOps.Stack;

namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>Runs the mlops CLI (copied next to the tests) as a child process against a given stack.</summary>
public sealed class MlopsCli : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("mlops-it-").FullName;

    /// <summary>A CLI whose <c>.mlops</c> directory is private to the test; optionally pointed at a running stack.</summary>
    public MlopsCli(StackEndpoints? stack = null)
    {
        if (stack is not null)
        {
            StackEnvFile.Write(Path.Combine(_home, "stack.env"), stack.ToVariables());
        }
    }

    public string Home => _home;

    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlops.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["MLOPS_HOME"] = _home;
        return Process.Start(info) ?? throw new InvalidOperationException("could not start mlops");
    }

    /// <summary>Runs to completion and returns exit code and output; past the timeout the CLI is killed (with its children) and a TimeoutException names the command.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlops {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:F0} s; killed");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
