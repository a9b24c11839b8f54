using BenchmarkDotNet.Running;
using MlOps.Benchmarks;

// ./mlops bench [validator|ingestion] — numbers for the hot paths, each next to a baseline run in the same process.
return args.FirstOrDefault() switch
{
    "validator" => RunValidator(args.Skip(1).ToArray()),
    "ingestion" => await IngestionEndToEnd.RunAsync(args.Skip(1).ToArray()),
    "features" => await FeaturesBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int RunValidator(string[] rest)
{
    BenchmarkRunner.Run<ValidatorBenchmarks>(args: rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: MlOps.Benchmarks validator [BenchmarkDotNet args] | ingestion [--events N] [--rate R] | features [--events N] [--reads N] [--batch N] [--no-update-log]");
    return 2;
}
