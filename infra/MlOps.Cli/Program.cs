using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.Cli.Deployments;

// The embedded stack's command line; ./mlops at the repository root wraps it (and adds `test`).
var paths = StackPaths.FromEnvironment();
var rest = args.Skip(1).ToArray();
try
{
    return args.FirstOrDefault() switch
    {
        "up" => await UpCommand.RunAsync(paths, CliArgs.Parse(rest)),
        "down" => await DownCommand.RunAsync(paths),
        "status" => StatusCommand.Run(paths),
        "topics" => TopicsCommand.Run(),
        "probe" => await ProbeCommand.RunAsync(paths, rest),
        "models" when rest.FirstOrDefault() == "register" => await ModelsCommand.RegisterAsync(paths, rest[1..]),
        "models" => Usage.Fail("models needs 'register <manifest>'"),
        "rules" => await RulesCommand.RunAsync(paths, rest, CancellationToken.None),
        "deploy" when rest.Any(DeployFileArgs.IsFileFlag) => await DeploymentsCommand.DeployFileAsync(paths, DeployFileArgs.Parse(rest)),
        "deploy" => await ModelsCommand.DeployAsync(paths, CliArgs.Parse(rest)),
        "rollout" => await RolloutCommand.RunAsync(paths, rest),
        "deployments" => await DeploymentsCommand.ListAsync(paths),
        "undeploy" => await DeploymentsCommand.UndeployAsync(paths, rest),
        "train" => await TrainCommand.RunAsync(paths, CliArgs.Parse(rest)),
        "replay" => await ReplayCommand.RunAsync(paths, rest),
        "demo" => await DemoCommand.RunAsync(paths, CliArgs.Parse(rest)),
        null or "help" or "--help" or "-h" => Usage.Print(),
        var unknown => Usage.Fail($"unknown command '{unknown}'"),
    };
}
catch (CliException ex)
{
    Console.Error.WriteLine("mlops: " + ex.Message);
    return 2;
}
