using System.Collections.Frozen;

namespace MlOps.Contracts;

/// <summary>
/// The one list of topics every service, tool and test uses. Names are fixed: tools outside the code rely on them.
/// Partition counts bound parallelism (replicas beyond the partition count idle), so they are set for the
/// busiest expected stream of each kind.
/// </summary>
public static class TopicCatalog
{
    public const string DeadLetterSuffix = ".dlq";

    public const string EventsRaw = "mlops.events.raw";
    public const string EventsValidated = "mlops.events.validated";
    public const string EventsQuarantine = "mlops.events.quarantine";
    public const string FeaturesUpdates = "mlops.features.updates";
    public const string Predictions = "mlops.predictions";
    public const string Labels = "mlops.labels";
    public const string PredictionsLabeled = "mlops.predictions.labeled";
    public const string ModelMetrics = "mlops.model-metrics";
    public const string DriftReports = "mlops.drift-reports";
    public const string Alerts = "mlops.alerts";
    public const string AlertNotifications = "mlops.alert-notifications";
    public const string Models = "mlops.models";
    public const string Deployments = "mlops.deployments";
    public const string Rules = "mlops.rules";
    public const string Rollouts = "mlops.rollouts";
    public const string RolloutEvents = "mlops.rollout-events";

    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private static readonly TopicSpec[] Primary =
    [
        new(EventsRaw, 6, "entity_id", typeof(EventEnvelope), CleanupPolicy.Delete, Week, "Events as producers publish them."),
        new(EventsValidated, 6, "entity_id", typeof(EventEnvelope), CleanupPolicy.Delete, Week, "Events that passed their data contract."),
        new(EventsQuarantine, 3, "event_id or none", typeof(QuarantinedEvent), CleanupPolicy.Delete, Month, "Refused input with raw bytes and reasons."),
        new(FeaturesUpdates, 6, "view/entity_key", typeof(FeatureUpdate), CleanupPolicy.Delete, Week, "Feature values written to the online store."),
        new(Predictions, 6, "prediction_id", typeof(Prediction), CleanupPolicy.Delete, Month, "Every prediction with served features and provenance."),
        new(Labels, 6, "join_key", typeof(Label), CleanupPolicy.Delete, Month, "Delayed ground truth."),
        new(PredictionsLabeled, 6, "prediction_id", typeof(LabeledPrediction), CleanupPolicy.Delete, null, "Joined training rows (kept forever)."),
        new(ModelMetrics, 3, "model_name:model_version", typeof(ModelMetricReport), CleanupPolicy.Delete, Month, "Live model quality per version and slice."),
        new(DriftReports, 3, "monitor", typeof(DriftReport), CleanupPolicy.Delete, Month, "Drift per monitor and window."),
        new(Alerts, 3, "fingerprint", typeof(Alert), CleanupPolicy.Delete, Week, "Alerts raised and resolved by every service."),
        new(AlertNotifications, 3, "group_key", typeof(AlertNotification), CleanupPolicy.Delete, null, "Alert history: notifications, acks, escalations."),
        new(Models, 1, "model_name:version", typeof(ModelVersion), CleanupPolicy.Compact, null, "Model registry."),
        new(Deployments, 1, "deployment[/tenant]", typeof(Deployment), CleanupPolicy.Compact, null, "Desired serving state."),
        new(Rules, 1, "name:version", typeof(RuleSet), CleanupPolicy.Compact, null, "Versioned output rule sets."),
        new(Rollouts, 1, "deployment[/tenant]", typeof(Rollout), CleanupPolicy.Compact, null, "Staged rollouts in progress (desired state)."),
        new(RolloutEvents, 3, "deployment[/tenant]", typeof(RolloutEvent), CleanupPolicy.Delete, null, "Every rollout transition with its reason (kept forever)."),
    ];

    /// <summary>Topics some service consumes and where poison input can therefore arrive.</summary>
    private static readonly string[] Consumed =
        [EventsRaw, EventsValidated, Predictions, Labels, PredictionsLabeled, Alerts, Models, Deployments, Rules, Rollouts, RolloutEvents];

    /// <summary>Every topic, dead-letter topics included, in a stable order.</summary>
    public static IReadOnlyList<TopicSpec> All { get; } = Primary
        .Concat(Consumed.Select(name => new TopicSpec(
            name + DeadLetterSuffix, 1, "original key", null, CleanupPolicy.Delete, Month,
            $"Poison messages from {name}: original bytes, reason in headers.")))
        .ToArray();

    private static readonly FrozenDictionary<string, TopicSpec> ByName =
        All.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    public static TopicSpec Get(string name) =>
        ByName.TryGetValue(name, out var spec)
            ? spec
            : throw new KeyNotFoundException($"Topic '{name}' is not in the topic catalog (contracts/MlOps.Contracts/TopicCatalog.cs).");

    public static bool Contains(string name) => ByName.ContainsKey(name);
}
