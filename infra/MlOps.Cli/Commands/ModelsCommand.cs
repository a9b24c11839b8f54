using MlOps.Cli.Deployments;
using MlOps.Contracts;
using MlOps.Models;
using MlOps.Rollout.Control;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// The model registry and deployments of a running stack:
/// <c>models register &lt;manifest&gt;</c> verifies an artifact, stores it and publishes its version to
/// <c>mlops.models</c>; <c>deploy</c> publishes a deployment (which event types a model scores) to
/// <c>mlops.deployments</c>. The Inference service picks both up without a restart.
/// </summary>
internal static class ModelsCommand
{
    public static async Task<int> RegisterAsync(StackPaths paths, string[] args)
    {
        if (args.Length < 1 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new CliException("models register needs a manifest file (<name>-<version>.model.json, written by './mlops train')");
        }
        var options = CliArgs.Parse(args.Skip(1).ToArray());
        var store = new ModelStore(options.String("registry-dir", paths.ModelsDirectory));
        ModelVersion version;
        try
        {
            version = store.Put(args[0], createdBy: Environment.UserName);
        }
        catch (ModelManifestException ex)
        {
            throw new CliException($"refused: {ex.Message}");
        }
        catch (ModelLoadException ex)
        {
            throw new CliException($"refused ({ex.Reason}): {ex.Message}");
        }
        var stack = paths.Endpoints();
        var at = await StackTopics.PublishAsync(stack, TopicCatalog.Models, OnnxModel.KeyOf(version), version);
        Console.WriteLine($"registered {OnnxModel.KeyOf(version)} (sha256 {version.artifact_sha256[..12]}…, {version.inputs.Count} inputs) " +
                          $"at {Path.Combine(store.Directory, version.artifact_uri)}; published to {at}");
        return 0;
    }

    public static async Task<int> DeployAsync(StackPaths paths, CliArgs args)
    {
        var deployment = DeploymentOf(args, DateTime.UtcNow);
        var stack = paths.Endpoints();
        var key = KeyOf(deployment);
        await DeploymentsCommand.RefuseRouteConflictsAsync(stack, [(key, deployment)], $"deployment '{key}'");
        var at = await StackTopics.PublishAsync(stack, TopicCatalog.Deployments, key, deployment);
        var arm = deployment.arms[0];
        Console.WriteLine($"deployed {arm.ModelKey} as '{key}' for {string.Join(", ", deployment.event_types)} " +
                          $"(revision {deployment.revision}); published to {at}");
        return 0;
    }

    /// <summary>The compacted topic's key: the deployment, per tenant when it is a tenant's own.</summary>
    public static string KeyOf(Deployment deployment) =>
        deployment.tenant_id is { } tenant ? $"{deployment.deployment}/{tenant}" : deployment.deployment;

    /// <summary>A single-arm deployment from the command line (staged rollouts come with deployment files: <c>deploy -f</c>).</summary>
    public static Deployment DeploymentOf(CliArgs args, DateTime now)
    {
        args.Only("deployment", "event-type", "model", "tenant", "stage", "spec-version", "reason");
        var model = args.Required("model");
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == model.Length - 1)
        {
            throw new CliException($"--model must be name:version (got '{model}')");
        }
        var eventTypes = args.Required("event-type").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (eventTypes.Length == 0)
        {
            throw new CliException("--event-type needs at least one event type");
        }
        return new Deployment
        {
            deployment = args.Required("deployment"),
            tenant_id = args.Flag("tenant") ? args.Required("tenant") : null,
            event_types = eventTypes.ToList(),
            arms = [new DeploymentArm { name = "stable", model_name = model[..colon], model_version = model[(colon + 1)..], traffic_weight = 1.0, shadow = false }],
            fallback = [],
            stage = args.String("stage", "production") is var stage && stage == DeploymentPlan.RolledBackStage
                ? throw new CliException($"--stage {DeploymentFile.ReservedStage}")
                : stage,
            approved_by = Environment.UserName,
            // Newer publications win; milliseconds keep revisions increasing across CLI runs.
            revision = new DateTimeOffset(now).ToUnixTimeMilliseconds(),
            spec_version = args.String("spec-version", ""),
            updated_at = now,
            change_reason = ReasonOf(args),
        };
    }

    /// <summary>
    /// <c>--reason TEXT</c>: why this revision is published, kept with it as Deployment.change_reason (what
    /// <c>kubectl</c>'s change-cause is to a rollout); absent, none is recorded.
    /// </summary>
    public static string? ReasonOf(CliArgs args) =>
        !args.Flag("reason") ? null
        : args.String("reason", "").Trim() is { Length: > 0 } reason ? reason
        : throw new CliException("--reason needs a non-empty text");
}
