using System.Diagnostics;
using System.Globalization;

namespace MlOps.Benchmarks;

/// <summary>redis-benchmark against a given port: pipelined SET/GET rates and unpipelined GET latency (its CSV output).</summary>
internal sealed record RedisBenchmark(double SetRps, double GetRps, double GetP50, double GetP99)
{
    public static RedisBenchmark Run(int port)
    {
        var pipelined = Csv(Exec(port, "-t", "set,get", "-n", "500000", "-P", "16", "--csv"));
        var plain = Csv(Exec(port, "-t", "get", "-n", "100000", "-c", "1", "--csv"));
        return new RedisBenchmark(pipelined["SET"][0], pipelined["GET"][0], plain["GET"][2], plain["GET"][4]);
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
