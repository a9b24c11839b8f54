using MlOps.Contracts.Codegen;

namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>The BTS flights sample the CLI tests replay, where './mlops test' installs it.</summary>
public static class FlightsData
{
    public static string Path20k => Path.Combine(RepoRoot.Find(AppContext.BaseDirectory), MlOps.Cli.Commands.TrainCommand.DefaultData);

    /// <summary>The file's path; fails (never skips) when it is missing, naming how to get it.</summary>
    public static string Require()
    {
        var path = Path20k;
        Assert.True(File.Exists(path), $"{path} is missing: './mlops test' installs vega-datasets@3.2.1 before the tests");
        return path;
    }
}
