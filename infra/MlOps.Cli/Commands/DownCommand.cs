namespace MlOps.Cli.Commands;

/// <summary>Stops the stack started by <c>up</c>: SIGTERM, a bounded wait, then SIGKILL; redis-server likewise.</summary>
internal static class DownCommand
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(StackPaths paths)
    {
        var stopped = 0;
        var processes = ServiceCatalog.All.Reverse()
            .Select(s => (paths.ServicePidFile(s), s.Name, s.Assembly))
            .Append((paths.PidFile, "stack", "mlops"))
            .Append((paths.RedisPidFile, "redis-server", "redis-server"));
        foreach (var (file, what, marker) in processes)
        {
            // A pid file can outlive its process (crash, reboot): only signal a process that is still ours.
            if (StackPaths.ReadPid(file) is { } pid && StackPaths.IsAlive(pid) && CommandLine(pid).Contains(marker, StringComparison.Ordinal))
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

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task StopAsync(int pid)
    {
        Signals.Terminate(pid);
        var deadline = DateTime.UtcNow + GracePeriod;
        while (StackPaths.IsAlive(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        if (StackPaths.IsAlive(pid))
        {
            Signals.ForceKill(pid);
        }
    }
}
