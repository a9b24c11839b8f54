namespace MlOps.Cli.Commands;

internal static class StatusCommand
{
    public static int Run(StackPaths paths)
    {
        if (StackPaths.ReadPid(paths.PidFile) is not { } pid || !StackPaths.IsAlive(pid) || !File.Exists(paths.EnvFile))
        {
            Console.WriteLine("stack: not running");
            return 1;
        }
        Console.WriteLine($"stack: running (pid {pid})");
        Console.Write(File.ReadAllText(paths.EnvFile));
        return 0;
    }
}
