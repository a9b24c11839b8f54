using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Starts the embedded stack. In the foreground it runs until SIGINT/SIGTERM; with --detach it starts itself in
/// the background (new session, output to .mlops/stack.log) and returns once the stack is ready.
/// </summary>
internal static class UpCommand
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <param name="detachedArgs">With --detach, the <c>up</c> command line the background process runs (default: this one's, minus --detach).</param>
    public static async Task<int> RunAsync(StackPaths paths, CliArgs args, IEnumerable<string>? detachedArgs = null)
    {
        if (StackPaths.ReadPid(paths.PidFile) is { } running && StackPaths.IsAlive(running))
        {
            throw new CliException($"a stack is already running (pid {running}); './mlops down' stops it");
        }
        Directory.CreateDirectory(paths.Directory);
        File.Delete(paths.EnvFile);
        return args.Flag("detach")
            ? await StartDetachedAsync(paths, detachedArgs ?? Environment.GetCommandLineArgs().Skip(1).Where(a => a != "--detach"))
            : await ForegroundAsync(paths, args);
    }

    private static async Task<int> ForegroundAsync(StackPaths paths, CliArgs args)
    {
        var options = new EmbeddedStackOptions
        {
            Brokers = args.Int("brokers", 3, min: 1),
            RegistryPort = args.Int("registry-port", 0),
            RedisPort = args.Int("redis-port", 0),
        };
        using var signals = new TerminationSignals();
        var stop = signals.Token;

        // The pid goes first, so 'down' can stop a stack that is still starting.
        File.WriteAllText(paths.PidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        await using var stack = await EmbeddedStack.StartAsync(options, stop);
        File.WriteAllText(paths.RedisPidFile, stack.Redis.ProcessId.ToString(CultureInfo.InvariantCulture));
        var variables = new SortedDictionary<string, string>(stack.Endpoints.ToVariables().ToDictionary(), StringComparer.Ordinal);
        await using var services = new ServiceGroup();
        if (!args.Flag("no-services"))
        {
            var spec = SpecPath(args);
            variables["MLOPS_SPEC"] = spec;
            variables["MLOPS_MODELS_DIR"] = paths.ModelsDirectory;
            Directory.CreateDirectory(paths.ModelsDirectory);
            foreach (var definition in ServiceCatalog.All)
            {
                var service = await ServiceProcess.StartAsync(definition, variables, paths.ServiceLogFile(definition), stop);
                services.Add(service);
                File.WriteAllText(paths.ServicePidFile(definition), service.ProcessId.ToString(CultureInfo.InvariantCulture));
                variables[definition.UrlVariable] = service.Url;
            }
        }
        // Written last: its existence tells `up --detach` and scripts that everything is ready.
        StackEnvFile.Write(paths.EnvFile, variables);

        PrintEndpoints(paths);
        Console.WriteLine($"kafka: {options.Brokers} mock brokers, {TopicCatalog.All.Count} catalog topics created");
        Console.WriteLine("stack is up; Ctrl+C or './mlops down' stops it");
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopping");
        }
        finally
        {
            File.Delete(paths.EnvFile);
            await services.DisposeAsync();
            foreach (var definition in ServiceCatalog.All)
            {
                File.Delete(paths.ServicePidFile(definition));
            }
            File.Delete(paths.PidFile);
            File.Delete(paths.RedisPidFile);
        }
        return 0;
    }

    /// <summary>Runs this CLI with <paramref name="upArgs"/> (an <c>up</c> command line) in the background; returns once its stack is ready.</summary>
    private static async Task<int> StartDetachedAsync(StackPaths paths, IEnumerable<string> upArgs)
    {
        // sh only redirects and detaches; every argument reaches the child as-is (no re-parsing by the shell).
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; setsid \"$@\" >\"$log\" 2>&1 </dev/null & echo $!");
        start.ArgumentList.Add("mlops-detach");
        start.ArgumentList.Add(paths.LogFile);
        start.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }
        foreach (var arg in upArgs)
        {
            start.ArgumentList.Add(arg);
        }
        int child;
        using (var shell = Process.Start(start) ?? throw new CliException("could not start the stack in the background"))
        {
            child = int.Parse((await shell.StandardOutput.ReadToEndAsync()).Trim(), CultureInfo.InvariantCulture);
            await shell.WaitForExitAsync();
        }

        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!File.Exists(paths.EnvFile))
        {
            if (!StackPaths.IsAlive(child))
            {
                throw new CliException($"the stack exited while starting:\n{Tail(paths.LogFile, 20)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                // Nothing else would stop it: the background stack and whatever it started go down with it.
                await DownCommand.RunAsync(paths);
                throw new CliException($"the stack did not become ready within {ReadyTimeout.TotalSeconds} s and was stopped; see {paths.LogFile}");
            }
            await Task.Delay(100);
        }
        PrintEndpoints(paths);
        Console.WriteLine($"stack is up in the background (pid {child}, log {paths.LogFile}); './mlops down' stops it");
        return 0;
    }

    /// <summary>--spec, else $MLOPS_SPEC, else the repository's infra/examples/flights/spec.yaml.</summary>
    private static string SpecPath(CliArgs args)
    {
        var path = args.String("spec", Environment.GetEnvironmentVariable("MLOPS_SPEC") ?? "");
        if (path.Length == 0)
        {
            path = Path.Combine(RepositoryRoot.Find(), "infra", "examples", "flights", "spec.yaml");
        }
        return File.Exists(path) ? Path.GetFullPath(path) : throw new CliException($"spec file {path} not found (--spec or MLOPS_SPEC)");
    }

    private static string Tail(string file, int lines) =>
        File.Exists(file) ? string.Join(Environment.NewLine, File.ReadLines(file).TakeLast(lines)) : "(no log)";

    private static void PrintEndpoints(StackPaths paths)
    {
        Console.WriteLine($"# {paths.EnvFile}");
        Console.Write(File.ReadAllText(paths.EnvFile));
    }
}
