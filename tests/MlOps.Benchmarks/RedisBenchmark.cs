using System.Diagnostics;
using System.Globalization;

namespace MlOps.Benchmarks;

/// <summary>
/// redis-benchmark against a given port: pipelined SET/GET rates, unpipelined GET latency (its CSV output) and, when
/// the redis-server's pid is given, the server's own CPU per pipelined SET.
/// </summary>
internal sealed record RedisBenchmark(double SetRps, double GetRps, double GetP50, double GetP99, double? ServerMicrosPerSet)
{
    private const int Requests = 500_000;

    public static RedisBenchmark Run(int port, int? serverPid = null)
    {
        var cpuBefore = serverPid is { } pid ? ProcessCpu.Of(pid) : TimeSpan.Zero;
        var set = Csv(Exec(port, "-t", "set", "-n", Requests.ToString(CultureInfo.InvariantCulture), "-P", "16", "--csv"));
        double? perSet = serverPid is { } p ? (ProcessCpu.Of(p) - cpuBefore).TotalMicroseconds / Requests : null;
        var get = Csv(Exec(port, "-t", "get", "-n", Requests.ToString(CultureInfo.InvariantCulture), "-P", "16", "--csv"));
        var plain = Csv(Exec(port, "-t", "get", "-n", "100000", "-c", "1", "--csv"));
        return new RedisBenchmark(set["SET"][0], get["GET"][0], plain["GET"][2], plain["GET"][4], perSet);
    }

    private static string Exec(int port, params string[] args)
    {
        var info = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-benchmark did not start (apt-get install redis-tools)");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    /// <summary>"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms".</summary>
    private static Dictionary<string, double[]> Csv(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => line.Split(',').Select(f => f.Trim('"')).ToArray())
        .Where(f => f.Length >= 7 && f[0] != "test")
        .ToDictionary(f => f[0], f => new[] { Num(f[1]), Num(f[2]), Num(f[4]), Num(f[5]), Num(f[6]) });

    private static double Num(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>User + system CPU from /proc (Linux): of a process this one did not start, or of each thread of this one.</summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ

    public static TimeSpan Of(int pid) => TimeSpan.FromSeconds(Read($"/proc/{pid}/stat").Ticks / TicksPerSecond);

    /// <summary>A stat file's command name and its user + system clock ticks (1/100 s).</summary>
    public static (string Name, long Ticks) Read(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        return (stat[(open + 1)..close], long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }
}
