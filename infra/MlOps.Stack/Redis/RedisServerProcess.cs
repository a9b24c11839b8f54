using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlOps.Stack.Redis;

/// <summary>
/// A real <c>redis-server</c> as a child process on a loopback port, without persistence. The embedded stack's
/// online store; production points REDIS_URL at a managed Redis instead.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    /// <summary><c>redis://127.0.0.1:PORT</c>.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>
    /// Starts redis-server on <paramref name="port"/>; 0 picks a free port (retried if another process takes it
    /// first). With <paramref name="dataDirectory"/> every write is appended and fsynced there (appendfsync always),
    /// so a server restarted on the same directory has everything a crashed one acknowledged; without it nothing is
    /// persisted.
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(int port, CancellationToken ct, string? dataDirectory = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(port == 0 ? LoopbackPorts.Free() : port, dataDirectory, ct);
            }
            catch (RedisExitedException) when (port == 0 && attempt < 3)
            {
                // The free port was taken between choosing it and redis binding it.
            }
        }
    }

    private static async Task<RedisServerProcess> StartOnceAsync(int port, string? dataDirectory, CancellationToken ct)
    {
        var executable = FindExecutable()
            ?? throw new FileNotFoundException("redis-server not found on PATH; install it with 'apt-get install redis-server' (./mlops does this).");
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] persistence = dataDirectory is null
            ? ["--appendonly", "no"]
            : ["--appendonly", "yes", "--appendfsync", "always", "--dir", dataDirectory];
        foreach (var arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no" }.Concat(persistence))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RedisServerProcess(process, port);
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(15), ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new RedisExitedException($"redis-server exited with code {_process.ExitCode} (port {Port} in use?)");
            }
            if (await PingAsync(ct))
            {
                return;
            }
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within {timeout.TotalSeconds} s");
    }

    private async Task<bool> PingAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read >= 5 && buffer[0] == (byte)'+';
        }
        catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    private static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>Kills the server as a crash would and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

/// <summary>redis-server exited while starting.</summary>
internal sealed class RedisExitedException(string message) : Exception(message);
