using System.Globalization;
using Confluent.Kafka;
using MlOps.Cli.Rollouts;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Staged rollouts of a running stack: <c>start</c> publishes a rollout file to <c>mlops.rollouts</c>, <c>approve</c>
/// a revision approving the current manual stage, <c>abort</c> a tombstone; <c>status</c> prints the transitions the
/// Rollout service published to <c>mlops.rollout-events</c>.
/// </summary>
internal static class RolloutCommand
{
    public static Task<int> RunAsync(StackPaths paths, string[] args) => args.FirstOrDefault() switch
    {
        // -f is the kubectl-style short form of --file.
        "start" => StartAsync(paths, CliArgs.Parse(args[1..].Select(a => a == "-f" ? "--file" : a).ToArray())),
        "approve" when args.Length == 2 => ApproveAsync(paths, args[1]),
        "status" when args.Length <= 2 => StatusAsync(paths, args.ElementAtOrDefault(1)),
        "abort" when args.Length == 2 => AbortAsync(paths, args[1]),
        _ => Task.FromResult(Usage.Fail("rollout needs 'start -f FILE', 'approve KEY', 'status [KEY]' or 'abort KEY'")),
    };

    /// <summary>The compacted topic's key: the deployment, per tenant when it is a tenant's own.</summary>
    public static string KeyOf(MlOps.Contracts.Rollout rollout) =>
        rollout.tenant_id is { } tenant ? $"{rollout.deployment}/{tenant}" : rollout.deployment;

    private static async Task<int> StartAsync(StackPaths paths, CliArgs args)
    {
        MlOps.Contracts.Rollout rollout;
        try
        {
            rollout = RolloutFile.Load(args.Required("file"), DateTime.UtcNow, Environment.UserName);
        }
        catch (SpecException ex)
        {
            throw new CliException($"invalid rollout file ({ex.Errors.Count} problem{(ex.Errors.Count == 1 ? "" : "s")}):{Environment.NewLine}"
                                   + string.Join(Environment.NewLine, ex.Errors.Select(e => "  " + e)));
        }
        var at = await StackTopics.PublishAsync(paths.Endpoints(), TopicCatalog.Rollouts, KeyOf(rollout), rollout);
        Console.WriteLine($"rollout of {MlOps.Rollout.Control.RolloutCandidate.Of(rollout)} into '{KeyOf(rollout)}' through {string.Join(" → ", rollout.stages.Select(s => s.name))} " +
                          $"(revision {rollout.revision}); published to {at}");
        return 0;
    }

    private static async Task<int> ApproveAsync(StackPaths paths, string key)
    {
        var stack = paths.Endpoints();
        var rollout = (await TopicSnapshot.ReadAsync<MlOps.Contracts.Rollout>(stack, TopicCatalog.Rollouts, CancellationToken.None))
            .LastOrDefault(r => r.Key == key).Value ?? throw new CliException($"no rollout '{key}' in {TopicCatalog.Rollouts}");
        var last = (await TopicSnapshot.ReadAsync<RolloutEvent>(stack, TopicCatalog.RolloutEvents, CancellationToken.None))
            .Where(e => e.Key == key && e.Value is { } v && MlOps.Rollout.Control.RolloutHistory.BelongsTo(v, rollout))
            .Select(e => e.Value!).MaxBy(e => e.at)
            ?? throw new CliException($"rollout '{key}' has not started yet (is the rollout service running?)");
        var stage = last.to_stage ?? throw new CliException($"rollout '{key}' is over ({last.action}: {last.reason})");
        if (rollout.approvals.Contains(stage))
        {
            Console.WriteLine($"stage '{stage}' of '{key}' is already approved");
            return 0;
        }
        rollout.approvals = [.. rollout.approvals, stage];
        rollout.revision = Math.Max(rollout.revision + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var at = await StackTopics.PublishAsync(stack, TopicCatalog.Rollouts, key, rollout);
        Console.WriteLine($"approved stage '{stage}' of '{key}' (revision {rollout.revision}); published to {at}");
        return 0;
    }

    private static async Task<int> StatusAsync(StackPaths paths, string? key)
    {
        var events = await TopicSnapshot.ReadAsync<RolloutEvent>(paths.Endpoints(), TopicCatalog.RolloutEvents, CancellationToken.None);
        var shown = events.Where(e => e.Value is not null && (key is null || e.Key == key)).OrderBy(e => e.Value!.at).ToList();
        if (shown.Count == 0)
        {
            Console.WriteLine(key is null ? "no rollout transitions yet" : $"no rollout transitions for '{key}'");
            return 0;
        }
        foreach (var (k, e) in shown)
        {
            var stages = e!.from_stage is null && e.to_stage is null ? "" : $" {e.from_stage ?? "-"} → {e.to_stage ?? "-"}";
            var revision = e.deployment_revision is { } r ? $" (deployment revision {r})" : "";
            Console.WriteLine($"{e.at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {k} {(e.candidate_rules is { } rules ? $"rules {rules}" : e.candidate_model)} {e.action}{stages}{revision}: {e.reason}");
        }
        return 0;
    }

    private static async Task<int> AbortAsync(StackPaths paths, string key)
    {
        var stack = paths.Endpoints();
        using var producer = new ProducerBuilder<string, byte[]?>(new ProducerConfig { BootstrapServers = stack.KafkaBootstrap, EnableIdempotence = true }).Build();
        try
        {
            var result = await producer.ProduceAsync(TopicCatalog.Rollouts, new Message<string, byte[]?> { Key = key, Value = null });
            Console.WriteLine($"aborted '{key}' (tombstone at {result.TopicPartitionOffset}); the rollout service rolls back to the champion");
        }
        catch (ProduceException<string, byte[]?> ex)
        {
            throw new CliException($"publishing to {TopicCatalog.Rollouts} failed: {ex.Error.Reason}");
        }
        return 0;
    }
}
