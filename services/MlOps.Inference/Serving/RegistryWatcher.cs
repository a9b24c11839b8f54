using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Models;

namespace MlOps.Inference.Serving;

/// <summary>
/// Follows the compacted registry and deployment topics from their beginning (every instance reads all of both, no
/// consumer group offsets) and feeds <see cref="ServingState"/>, reconciling whenever the topics go quiet. Readiness
/// turns green once the topics were read up to where they ended at start-up, so no instance scores before it knows
/// the deployments. Undecodable records, and any other record that cannot be applied, are dead-lettered with the
/// reason and skipped; a record whose failure is transient (schema registry or Kafka unavailable) is read again.
/// </summary>
public sealed class RegistryWatcher(
    IOptions<KafkaOptions> kafka,
    IOptions<InferenceOptions> options,
    GuardedAvroDeserializer<ModelVersion> models,
    GuardedAvroDeserializer<Deployment> deployments,
    GuardedAvroDeserializer<RuleSet> ruleSets,
    ServingState state,
    DeadLetterPublisher deadLetters,
    ILogger<RegistryWatcher> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StateRecordApplier _records = new(deadLetters, logger);

    /// <summary>Completes once the registry and deployments were read up to where they ended at start-up.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_caughtUp.Task.IsCompleted
            ? HealthCheckResult.Healthy($"{state.Current.Routes.Count} deployments served")
            : HealthCheckResult.Unhealthy($"still reading {TopicCatalog.Models}, {TopicCatalog.Deployments} and {TopicCatalog.Rules}"));

    /// <summary>Resolves a model version's artifact_uri: absolute path, file:// URI, or relative to the models directory.</summary>
    /// <exception cref="UriFormatException">A malformed file:// URI.</exception>
    /// <exception cref="ArgumentException">A path with characters no file system path can hold (a NUL, say).</exception>
    public static string ArtifactPath(string modelsDirectory, string artifactUri)
    {
        var path = artifactUri.StartsWith("file://", StringComparison.Ordinal) ? new Uri(artifactUri).LocalPath
            : Path.IsPathRooted(artifactUri) ? artifactUri
            : Path.Combine(modelsDirectory, artifactUri);
        return path.IndexOfAny(Path.GetInvalidPathChars()) < 0 ? path
            : throw new ArgumentException("the path contains a character no file path can hold", nameof(artifactUri));
    }

    /// <summary>How the service loads a registered version: resolve, verify, one session with the configured threads.</summary>
    public static OnnxModel Load(InferenceOptions options, ModelVersion version)
    {
        using var session = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        string path;
        try
        {
            path = ArtifactPath(options.ModelsDirectory, version.artifact_uri);
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException)
        {
            // A malformed URI (file://host:99999/x.onnx) is the record's fault: refused like any bad version, rather
            // than thrown out of Reconcile, which would stop the watcher on every replay of the compacted topic.
            throw new ModelLoadException(ModelLoadException.ArtifactUriInvalid,
                $"{OnnxModel.KeyOf(version)}: artifact_uri '{OnnxModel.Printable(version.artifact_uri)}' is not a usable path: {ex.Message}", ex);
        }
        return OnnxModel.Load(version, path, session);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken ct)
    {
        var group = $"{options.Value.GroupId}-registry";
        var config = KafkaClientConfigs.Consumer(kafka.Value, group);
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var partitions = new[] { TopicCatalog.Models, TopicCatalog.Deployments, TopicCatalog.Rules }
            .SelectMany(topic => Enumerable.Range(0, TopicCatalog.Get(topic).Partitions).Select(p => new TopicPartition(topic, p)))
            .ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        Dictionary<TopicPartition, long>? ends = null;
        var dirty = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                ends ??= partitions.ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value);
                var result = consumer.Consume(dirty && _caughtUp.Task.IsCompleted ? TimeSpan.Zero : PollTimeout);
                if (result is null || result.IsPartitionEOF)
                {
                    var atEnd = _caughtUp.Task.IsCompleted || partitions.All(tp => consumer.Position(tp) is var at && (at.Value >= ends[tp] || ends[tp] == 0));
                    if (ShouldReconcile(dirty, atEnd))
                    {
                        state.Reconcile();
                        dirty = false;
                    }
                    if (!_caughtUp.Task.IsCompleted && atEnd)
                    {
                        _caughtUp.TrySetResult();
                        logger.LogInformation("Registry read: {Routes} deployments served, {Refused} refused (model versions, rule sets, deployments)",
                            state.Current.Routes.Count, state.Refused.Count);
                    }
                    continue;
                }
                var outcome = _records.Apply(consumer, result, group, () => Apply(result, ct), ct);
                if (outcome == StateRecordOutcome.ReadAgain)
                {
                    ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    continue;
                }
                InferenceMetrics.RegistryRecords.WithLabels(result.Topic, outcome.ToString().ToLowerInvariant()).Inc();
                dirty = true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (KafkaException ex)
            {
                logger.LogWarning(ex, "Reading the registry failed; retrying");
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing one step throws may end the watcher: its task faulting stops the host, and the compacted
                // topics would replay the same cause on every restart.
                logger.LogError(ex, "Registry watcher step failed; retrying");
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
        consumer.Close();
    }

    /// <summary>
    /// Whether to apply what was read: only once every partition was read to the end it had at start (and from then on
    /// whenever something new was read). Reconciling mid catch-up would refuse a deployment whose model version sits
    /// further along another partition, raising a critical alert that clears a moment later on every restart.
    /// </summary>
    internal static bool ShouldReconcile(bool dirty, bool readToEnd) => dirty && readToEnd;

    // Runs on the watcher's own thread, which blocks in Consume anyway: the registry lookups (cached after the first
    // record of a schema) are waited for here rather than made async.
    private void Apply(ConsumeResult<byte[]?, byte[]?> result, CancellationToken ct)
    {
        var key = result.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
        if (result.Topic == TopicCatalog.Models)
        {
            var version = result.Message.Value is { } bytes ? models.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult() : null;
            state.OnModelVersion(version is null ? key : OnnxModel.KeyOf(version), version);
        }
        else if (result.Topic == TopicCatalog.Rules)
        {
            var set = result.Message.Value is { } bytes ? ruleSets.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult() : null;
            state.OnRuleSet(set?.Key ?? key, set);
        }
        else
        {
            var deployment = result.Message.Value is { } bytes ? deployments.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult() : null;
            state.OnDeployment(key, deployment);
        }
    }
}
