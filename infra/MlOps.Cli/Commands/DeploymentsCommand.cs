using System.Globalization;
using MlOps.Cli.Deployments;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Models;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Staged deployments on <c>mlops.deployments</c>: <c>deploy -f FILE</c> publishes every deployment of a file,
/// <c>deployments</c> prints the topic's current state, <c>undeploy KEY</c> retires one with a tombstone.
/// </summary>
internal static class DeploymentsCommand
{
    /// <summary><c>deploy -f FILE</c>; <c>--reason</c> is kept with each deployment's revision as change_reason.</summary>
    public static async Task<int> DeployFileAsync(StackPaths paths, DeployFileArgs args)
    {
        var (file, reason) = args;
        IReadOnlyList<Deployment> deployments;
        try
        {
            deployments = DeploymentFile.Load(file, DateTime.UtcNow, Environment.UserName);
        }
        catch (SpecException ex)
        {
            throw new CliException($"refused {file}: {ex.Message}");
        }
        var stack = paths.Endpoints();
        HashSet<string>? registered = null;
        try
        {
            registered = (await StackTopics.ReadAsync<ModelVersion>(stack, TopicCatalog.Models)).Values.Select(OnnxModel.KeyOf).ToHashSet(StringComparer.Ordinal);
        }
        catch (CliException ex)
        {
            // The check only warns, so a registry that cannot be read does not stop the deployment.
            Console.Error.WriteLine($"mlops: warning: models not checked: {ex.Message}");
        }
        await RefuseRouteConflictsAsync(stack, [.. deployments.Select(d => (ModelsCommand.KeyOf(d), d))], file);
        foreach (var deployment in deployments)
        {
            deployment.change_reason = reason;
            // A warning, not a refusal: the model may be registered right after, and Inference waits for it.
            foreach (var model in ModelsOf(deployment).Where(model => registered is not null && !registered.Contains(model)).Distinct())
            {
                Console.Error.WriteLine($"mlops: warning: {model} (in '{ModelsCommand.KeyOf(deployment)}') is not registered on {TopicCatalog.Models}");
            }
            var at = await StackTopics.PublishAsync(stack, TopicCatalog.Deployments, ModelsCommand.KeyOf(deployment), deployment);
            Console.WriteLine($"deployed '{ModelsCommand.KeyOf(deployment)}': {Arms(deployment)} (revision {deployment.revision}); published to {at}");
        }
        return 0;
    }

    /// <summary>
    /// Refuses, before anything is published, deployments that would claim an (event type, tenant) another deployment
    /// in force already scores; if the deployments in force cannot be read, it warns and lets Inference decide.
    /// </summary>
    public static async Task RefuseRouteConflictsAsync(StackEndpoints stack, IReadOnlyList<(string Key, Deployment Deployment)> incoming, string what)
    {
        IReadOnlyDictionary<string, Deployment> inForce;
        try
        {
            inForce = await StackTopics.ReadAsync<Deployment>(stack, TopicCatalog.Deployments);
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"mlops: warning: route conflicts not checked: {ex.Message}");
            return;
        }
        if (DeploymentRoutes.Conflicts(inForce, incoming) is { Count: > 0 } conflicts)
        {
            throw new CliException($"refused {what}: {string.Join("; ", conflicts)}");
        }
    }

    public static async Task<int> ListAsync(StackPaths paths)
    {
        var stack = paths.Endpoints();
        var deployments = await StackTopics.ReadAsync<Deployment>(stack, TopicCatalog.Deployments);
        Console.Write(Table(deployments));
        return 0;
    }

    public static async Task<int> UndeployAsync(StackPaths paths, string[] args)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            throw new CliException("undeploy needs one deployment key: <deployment> or <deployment>/<tenant>");
        }
        var stack = paths.Endpoints();
        var at = await StackTopics.PublishTombstoneAsync(stack, TopicCatalog.Deployments, args[0]);
        Console.WriteLine($"undeployed '{args[0]}' (tombstone published to {at})");
        return 0;
    }

    /// <summary>Every model:version a deployment may run: its arms and its fallback chain.</summary>
    public static IEnumerable<string> ModelsOf(Deployment deployment) =>
        deployment.arms.Select(arm => arm.ModelKey).Concat(deployment.fallback);

    /// <summary>
    /// One line per deployment, sorted by key; the latest revision per key, as Inference serves it, with why it was
    /// published last (change_reason: a rollout decision or a <c>--reason</c>) in the last column.
    /// </summary>
    public static string Table(IReadOnlyDictionary<string, Deployment> deployments)
    {
        if (deployments.Count == 0)
        {
            return "no deployments\n";
        }
        string[] header = ["KEY", "EVENT TYPES", "ARMS", "FALLBACK", "RULES", "STAGE", "REVISION", "REASON"];
        var rows = deployments.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => new[]
        {
            pair.Key,
            string.Join(",", pair.Value.event_types),
            Arms(pair.Value),
            Fallback(pair.Value),
            Rules(pair.Value),
            pair.Value.stage,
            pair.Value.revision.ToString(CultureInfo.InvariantCulture),
            pair.Value.change_reason ?? "-",
        }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        return string.Concat(rows.Select(row => string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd() + "\n"));
    }

    /// <summary>Each arm as name=model:version@weight (or (shadow)), with +rules:name:version when it names its own output rules.</summary>
    public static string Arms(Deployment deployment) => string.Join(" ", deployment.arms.Select(arm => (arm.shadow
        ? $"{arm.name}={arm.ModelKey}(shadow)"
        : $"{arm.name}={arm.ModelKey}@{arm.traffic_weight.ToString("0.###", CultureInfo.InvariantCulture)}")
        + (arm.output_rules is { } rules ? $"+rules:{rules}" : "")));

    private static string Fallback(Deployment deployment)
    {
        var chain = deployment.fallback.ToList();
        if (deployment.fallback_constant is { } constant)
        {
            chain.Add(constant.ToString("0.###", CultureInfo.InvariantCulture));
        }
        return chain.Count == 0 ? "-" : string.Join(">", chain);
    }

    private static string Rules(Deployment deployment) =>
        (deployment.output_rules, deployment.shadow_rules) switch
        {
            (null, null) => "-",
            (var output, null) => output!,
            (null, var shadow) => $"shadow:{shadow}",
            (var output, var shadow) => $"{output} shadow:{shadow}",
        };
}
