using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.Cli.Deployments;

namespace MlOps.UnitTests.Cli;

public sealed class DeployArgsTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 3, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_command_line_deployment_has_one_stable_arm_with_all_the_traffic()
    {
        var deployment = ModelsCommand.DeploymentOf(CliArgs.Parse(
            ["--deployment", "delay", "--event-type", "flight_departure, flight_delay", "--model", "flight-delay:1.2", "--tenant", "airline-a"]), Now);

        Assert.Equal("delay", deployment.deployment);
        Assert.Equal("airline-a", deployment.tenant_id);
        Assert.Equal(["flight_departure", "flight_delay"], deployment.event_types);
        var arm = Assert.Single(deployment.arms);
        Assert.Equal(("flight-delay", "1.2", 1.0, false), (arm.model_name, arm.model_version, arm.traffic_weight, arm.shadow));
        Assert.Equal(new DateTimeOffset(Now).ToUnixTimeMilliseconds(), deployment.revision);
        Assert.Equal("delay/airline-a", ModelsCommand.KeyOf(deployment));
        Assert.Null(deployment.change_reason);
    }

    [Fact]
    public void A_reason_is_kept_with_the_revision_and_an_empty_one_is_refused()
    {
        string[] args = ["--deployment", "delay", "--event-type", "flight_departure", "--model", "flight-delay:2"];

        var deployment = ModelsCommand.DeploymentOf(CliArgs.Parse([.. args, "--reason", " back to v2: v3 drifts on JFK "]), Now);
        Assert.Equal("back to v2: v3 drifts on JFK", deployment.change_reason);

        Assert.Equal("--reason needs a non-empty text", Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(CliArgs.Parse([.. args, "--reason", " "]), Now)).Message);
        Assert.Equal("--reason needs a value", Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(CliArgs.Parse([.. args, "--reason"]), Now)).Message);
    }

    [Theory]
    [InlineData("-f a.yaml", "a.yaml", null)]
    [InlineData("--reason why --file a.yaml", "a.yaml", "why")]
    [InlineData("-f a.yaml --reason why", "a.yaml", "why")]
    public void A_deployment_file_is_read_with_its_reason_wherever_the_flag_stands(string line, string file, string? reason) =>
        Assert.Equal(new DeployFileArgs(file, reason), DeployFileArgs.Parse(line.Split(' ')));

    [Theory]
    [InlineData("-f a.yaml b.yaml", "deploy -f needs exactly one deployment file (also got 'b.yaml')")]
    [InlineData("-f a.yaml --reason why b.yaml", "deploy -f needs exactly one deployment file (also got 'b.yaml')")]
    [InlineData("-f --reason why", "deploy -f needs exactly one deployment file after -f")]
    [InlineData("--reason why -f", "deploy -f needs exactly one deployment file after -f")]
    [InlineData("-f a.yaml --file b.yaml", "deploy -f needs exactly one deployment file (-f is given 2 times)")]
    [InlineData("-f a.yaml --stage canary", "unknown option '--stage' (this command takes --reason)")]
    public void A_deployment_file_command_line_that_is_not_one_file_and_a_reason_is_refused_by_name(string line, string error) =>
        Assert.Equal(error, Assert.Throws<CliException>(() => DeployFileArgs.Parse(line.Split(' '))).Message);

    [Fact]
    public void The_rollout_controllers_restore_stage_is_refused()
    {
        var ex = Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(CliArgs.Parse(
            ["--deployment", "delay", "--event-type", "flight_departure", "--model", "flight-delay:2", "--stage", "rolled_back"]), Now));

        Assert.StartsWith("--stage 'rolled_back' is reserved for the rollout controller's restores", ex.Message);
    }

    [Fact]
    public void A_misspelt_option_is_refused_by_name_rather_than_ignored()
    {
        var ex = Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(CliArgs.Parse(
            ["--deployment", "delay", "--event-type", "flight_departure", "--model", "flight-delay:2", "--tennant", "airline-a"]), Now));

        Assert.StartsWith("unknown option '--tennant' (this command takes --deployment, --event-type, --model, --tenant,", ex.Message);
    }

    [Theory]
    [InlineData("flight-delay", "--model must be name:version (got 'flight-delay')")]
    [InlineData(":1", "--model must be name:version (got ':1')")]
    [InlineData("flight-delay:", "--model must be name:version (got 'flight-delay:')")]
    public void A_model_without_name_and_version_is_refused(string model, string error)
    {
        var ex = Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(
            CliArgs.Parse(["--deployment", "d", "--event-type", "flight_departure", "--model", model]), Now));

        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void A_missing_option_is_named()
    {
        var ex = Assert.Throws<CliException>(() => ModelsCommand.DeploymentOf(CliArgs.Parse(["--model", "m:1"]), Now));

        Assert.Equal("--event-type is required", ex.Message);
    }
}
