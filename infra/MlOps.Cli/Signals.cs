using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>POSIX signals (Process.Kill only sends SIGKILL, which skips a service's drain).</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    public static void ForceKill(int pid) => _ = Kill(pid, SigKill);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
