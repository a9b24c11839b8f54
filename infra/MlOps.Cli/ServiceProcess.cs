using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using MlOps.Stack;

namespace MlOps.Cli;

/// <summary>
/// One platform service as a child process of the stack: started with the stack's endpoints in its environment on
/// a loopback port, waited for until /health/ready answers 200, stopped with SIGTERM so it drains and commits.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private ServiceProcess(ServiceDefinition definition, Process process, string url)
    {
        Definition = definition;
        _process = process;
        Url = url;
    }

    public ServiceDefinition Definition { get; }
    public string Url { get; }
    public int ProcessId => _process.Id;

    public static async Task<ServiceProcess> StartAsync(
        ServiceDefinition definition, IReadOnlyDictionary<string, string> environment, string logFile, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, definition.Assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new CliException($"{definition.Name}: {dll} not found; build with './mlops up'");
        }
        var url = $"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        // The stack's endpoints and the platform settings (MLOPS_SPEC, MLOPS_MODELS_DIR), as stack.env has them.
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        foreach (var (key, value) in definition.Runtime ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(info) ?? throw new CliException($"{definition.Name} did not start");
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(definition, process, url);
        await service.WaitUntilReadyAsync(logFile, ct);
        return service;
    }

    private async Task WaitUntilReadyAsync(string logFile, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new CliException($"{Definition.Name} exited with code {_process.ExitCode} while starting; see {logFile}");
            }
            try
            {
                using var response = await http.GetAsync(Url + "/health/ready", ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(200, ct);
        }
        throw new CliException($"{Definition.Name} was not ready within {ReadyTimeout.TotalSeconds} s; see {logFile}");
    }

    /// <summary>SIGTERM (the service drains and commits), then a kill after <see cref="StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Terminate(_process.Id);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
    }
}
