using System.Diagnostics;
using BenchmarkDotNet.Running;
using MlOps.Benchmarks;

// ./mlops bench [validator|ingestion|features|inference] — numbers for the hot paths, each next to a baseline run in the same process.
return args.FirstOrDefault() switch
{
    "validator" => RunValidator(args.Skip(1).ToArray()),
    "ingestion" or "features" or "inference" when Environment.GetEnvironmentVariable(Child) is null => await RerunAsync(args),
    "ingestion" => await IngestionEndToEnd.RunAsync(args.Skip(1).ToArray()),
    "features" => await FeaturesBenchmark.RunAsync(args.Skip(1).ToArray()),
    "inference" => await InferenceBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int RunValidator(string[] rest)
{
    BenchmarkRunner.Run<ValidatorBenchmarks>(args: rest);
    return 0;
}

// The end-to-end benchmarks host a service in this process, so it runs under this process's runtime settings;
// they re-run themselves with two of them changed (each only when not set already):
// - DOTNET_gcServer=1: a service's own runtimeconfig has System.GC.Server=true (the Microsoft.NET.Sdk.Web
//   default), this console app's has workstation GC; the services allocate per event, and measured under
//   workstation GC ingestion did ~5-10% fewer events/s than under the GC it runs with.
// - DOTNET_TieredCompilation=0: with tiering, the JIT keeps recompiling the service's start-up and hot code on
//   the second core for several seconds, inside the timed windows (~1,000 methods, ~1 s of JIT time per 50k
//   events measured), which a long-running service does not pay. Fully optimised code from the first call keeps
//   the JIT out of both paths' timings.
// - inference only, DOTNET_GCgen0size: the gen0 budget the inference service is deployed with (InferenceRuntime).
static async Task<int> RerunAsync(string[] args)
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
    self.Environment[Child] = "1";
    var settings = new List<(string, string)> { ("DOTNET_gcServer", "1"), ("DOTNET_TieredCompilation", "0") };
    if (args.FirstOrDefault() == "inference")
    {
        // The inference service ships with this gen0 budget (mlops up, the Helm chart): measure it as it runs.
        settings.Add((MlOps.Inference.InferenceRuntime.Gen0BudgetVariable, MlOps.Inference.InferenceRuntime.Gen0Budget));
    }
    foreach (var (name, value) in settings)
    {
        self.Environment[name] = Environment.GetEnvironmentVariable(name) ?? value;
    }
    using var child = Process.Start(self)!;
    await child.WaitForExitAsync();
    return child.ExitCode;
}

static int Usage()
{
    Console.Error.WriteLine("usage: MlOps.Benchmarks validator [BenchmarkDotNet args] | ingestion [--events N] [--warmup N] [--rate R] [--seconds S] | features [--events N] [--reads N] [--batch N] [--no-update-log] | inference [--requests N] [--events N] [--batch N]");
    return 2;
}

internal static partial class Program
{
    private const string Child = "MLOPS_BENCH_CHILD";
}
