namespace MlOps.Cli;

/// <summary>The checkout the CLI runs in: $MLOPS_ROOT, or the first folder holding MlOpsStreaming.sln above the cwd or the CLI.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        if (Environment.GetEnvironmentVariable("MLOPS_ROOT") is { Length: > 0 } root)
        {
            return root;
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MlOpsStreaming.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new CliException("cannot find the repository (MlOpsStreaming.sln); set MLOPS_ROOT");
    }
}
