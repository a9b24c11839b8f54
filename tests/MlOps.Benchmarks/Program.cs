using System.Diagnostics;
using BenchmarkDotNet.Running;
using MlOps.Benchmarks;

// ./mlops bench [validator|ingestion] — numbers for the hot paths, each next to a baseline run in the same process.
return args.FirstOrDefault() switch
{
    "validator" => RunValidator(args.Skip(1).ToArray()),
    "ingestion" when Environment.GetEnvironmentVariable(TieredCompilation) is null => await RerunWithoutTieredCompilationAsync(args),
    "ingestion" => await IngestionEndToEnd.RunAsync(args.Skip(1).ToArray()),
    "features" => await FeaturesBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int RunValidator(string[] rest)
{
    BenchmarkRunner.Run<ValidatorBenchmarks>(args: rest);
    return 0;
}

// The ingestion benchmark hosts the service in this process for a few seconds. With tiered compilation the JIT
// keeps recompiling the service's start-up and hot code on the second core for several seconds, inside the timed
// windows (~1,000 methods, ~1 s of JIT time per 50k events measured), which a long-running service does not pay.
// Fully optimised code from the first call keeps the JIT out of both paths' timings. Set
// DOTNET_TieredCompilation yourself (e.g. =1) to run as is.
static async Task<int> RerunWithoutTieredCompilationAsync(string[] args)
{
    var self = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    {
        self.ArgumentList.Add(typeof(IngestionEndToEnd).Assembly.Location);
    }
    foreach (var arg in args)
    {
        self.ArgumentList.Add(arg);
    }
    self.Environment[TieredCompilation] = "0";
    using var child = Process.Start(self)!;
    await child.WaitForExitAsync();
    return child.ExitCode;
}

static int Usage()
{
    Console.Error.WriteLine("usage: MlOps.Benchmarks validator [BenchmarkDotNet args] | ingestion [--events N] [--warmup N] [--rate R] [--seconds S] | features [--events N] [--reads N] [--batch N] [--no-update-log]");
    return 2;
}

internal static partial class Program
{
    private const string TieredCompilation = "DOTNET_TieredCompilation";
}
