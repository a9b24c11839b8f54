using MlOps.Stack;

namespace MlOps.Cli;

/// <summary>Where the stack keeps its state: <c>.mlops/</c> in the current directory, or <c>$MLOPS_HOME</c>.</summary>
public sealed record StackPaths(string Directory)
{
    public string EnvFile => Path.Combine(Directory, "stack.env");
    public string PidFile => Path.Combine(Directory, "stack.pid");
    public string RedisPidFile => Path.Combine(Directory, "redis.pid");
    public string LogFile => Path.Combine(Directory, "stack.log");

    /// <summary>The embedded default's model store: registered artifacts, one directory per model and version.</summary>
    public string ModelsDirectory => Path.Combine(Directory, "registry");

    public string ServicePidFile(ServiceDefinition service) => Path.Combine(Directory, service.Name + ".pid");

    public string ServiceLogFile(ServiceDefinition service) => Path.Combine(Directory, service.Name + ".log");

    /// <summary>The running stack's endpoints from <see cref="EnvFile"/>; a clear error when no stack is up.</summary>
    public StackEndpoints Endpoints()
    {
        try
        {
            return StackEndpoints.FromEnvFile(EnvFile);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidOperationException)
        {
            throw new CliException(ex.Message.Contains("mlops up", StringComparison.Ordinal) ? ex.Message : $"{ex.Message}; start the stack with './mlops up --detach'");
        }
    }

    public static StackPaths FromEnvironment() => new(Path.GetFullPath(
        Environment.GetEnvironmentVariable("MLOPS_HOME") ?? Path.Combine(System.IO.Directory.GetCurrentDirectory(), ".mlops")));

    public static int? ReadPid(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
