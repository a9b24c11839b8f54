namespace MlOps.Contracts.Codegen;

/// <summary>Finds the repository root (the folder holding MlOpsStreaming.sln) from the current directory up.</summary>
public static class RepoRoot
{
    public static string Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOpsStreaming.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("MlOpsStreaming.sln not found above " + (start ?? Directory.GetCurrentDirectory()));
    }
}
