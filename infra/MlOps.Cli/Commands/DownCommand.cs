using System.Runtime.InteropServices;

namespace MlOps.Cli.Commands;

/// <summary>Stops the stack started by <c>up</c>: SIGTERM, a bounded wait, then SIGKILL; redis-server likewise.</summary>
internal static partial class DownCommand
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(StackPaths paths)
    {
        var stopped = 0;
        foreach (var (file, what) in new[] { (paths.PidFile, "stack"), (paths.RedisPidFile, "redis-server") })
        {
            if (StackPaths.ReadPid(file) is { } pid && StackPaths.IsAlive(pid))
            {
                await StopAsync(pid);
                Console.WriteLine($"stopped {what} (pid {pid})");
                stopped++;
            }
            File.Delete(file);
        }
        File.Delete(paths.EnvFile);
        if (stopped == 0)
        {
            Console.WriteLine("no stack was running");
        }
        return 0;
    }

    private static async Task StopAsync(int pid)
    {
        _ = Kill(pid, SigTerm);
        var deadline = DateTime.UtcNow + GracePeriod;
        while (StackPaths.IsAlive(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        if (StackPaths.IsAlive(pid))
        {
            _ = Kill(pid, SigKill);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
