using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>
/// Follows <c>mlops.rollouts</c> and <c>mlops.deployments</c> (compacted, desired state) and <c>mlops.rollout-events</c>
/// (where each rollout stands) from their beginning, without group offsets, and feeds <see cref="RolloutController"/>.
/// Nothing is evaluated before the three were read up to where they ended at start-up, so a restarted controller
/// resumes rollouts instead of starting them again. Records go through <see cref="StateRecordApplier"/>: undecodable
/// ones are dead-lettered with the reason, and one whose failure is transient is read again, never skipped.
/// </summary>
public sealed partial class RolloutWatcher(
    IOptions<KafkaOptions> kafka,
    IOptions<RolloutOptions> options,
    GuardedAvroDeserializer<MlOps.Contracts.Rollout> rollouts,
    GuardedAvroDeserializer<Deployment> deployments,
    GuardedAvroDeserializer<RolloutEvent> events,
    RolloutController controller,
    DeadLetterPublisher deadLetters,
    ILogger<RolloutWatcher> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly string[] Topics = [TopicCatalog.Rollouts, TopicCatalog.Deployments, TopicCatalog.RolloutEvents];
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StateRecordApplier _records = new(deadLetters, logger);

    /// <summary>Completes once the three topics were read up to where they ended at start-up.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_caughtUp.Task.IsCompleted
            ? HealthCheckResult.Healthy($"{controller.Rollouts().Count} rollouts known")
            : HealthCheckResult.Unhealthy($"still reading {string.Join(", ", Topics)}"));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken ct)
    {
        var group = $"{options.Value.GroupId}-state";
        var config = KafkaClientConfigs.Consumer(kafka.Value, group);
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var partitions = Topics
            .SelectMany(topic => Enumerable.Range(0, TopicCatalog.Get(topic).Partitions).Select(p => new TopicPartition(topic, p)))
            .ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        Dictionary<TopicPartition, long>? ends = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                ends ??= partitions.ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value);
                var result = consumer.Consume(PollTimeout);
                if (result is null || result.IsPartitionEOF)
                {
                    if (!_caughtUp.Task.IsCompleted && partitions.All(tp => consumer.Position(tp) is var at && (at.Value >= ends[tp] || ends[tp] == 0)))
                    {
                        _caughtUp.TrySetResult();
                        LogCaughtUp(controller.Rollouts().Count);
                    }
                    continue;
                }
                if (_records.Apply(consumer, result, group, () => Apply(result, ct), ct) == StateRecordOutcome.ReadAgain)
                {
                    ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (KafkaException ex)
            {
                LogReadFailed(ex);
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
        consumer.Close();
    }

    // Runs on the watcher's own thread, which blocks in Consume anyway: decoding (registry lookups cached after the
    // first record of a schema) is waited for here.
    private void Apply(ConsumeResult<byte[]?, byte[]?> result, CancellationToken ct)
    {
        var key = result.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
        var bytes = result.Message.Value;
        switch (result.Topic)
        {
            case TopicCatalog.Rollouts:
                controller.OnRollout(key, bytes is null ? null : rollouts.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult());
                break;
            case TopicCatalog.Deployments:
                controller.OnDeployment(key, bytes is null ? null : deployments.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult());
                break;
            case TopicCatalog.RolloutEvents when bytes is not null:
                controller.OnEvent(key, events.DeserializeAsync(bytes, result.Topic, ct).GetAwaiter().GetResult());
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout state read: {Rollouts} rollouts known")]
    private partial void LogCaughtUp(int rollouts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the rollout state failed; retrying")]
    private partial void LogReadFailed(Exception ex);
}
