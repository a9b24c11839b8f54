using Prometheus;

namespace MlOps.Inference;

/// <summary>Serving metrics. Labels are bounded: deployments, models and arms come from the registry and deployments.</summary>
public static class InferenceMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0001, 2, 16);

    public static readonly Counter Predictions = Metrics.CreateCounter(
        "mlops_inference_predictions_total", "Predictions logged, per deployment, model, version and arm.",
        "deployment", "model", "version", "arm", "path");

    public static readonly Counter Unscored = Metrics.CreateCounter(
        "mlops_inference_unscored_total", "Requests that could not be scored (logged with the reason), by reason; shadow arms' rows are not requests and do not count.", "path", "reason");

    public static readonly Counter NotDeployed = Metrics.CreateCounter(
        "mlops_inference_events_skipped_total", "Validated events of a type no deployment scores.");

    public static readonly Histogram Latency = Metrics.CreateHistogram(
        "mlops_inference_latency_seconds", "Scoring latency by stage (features, model, total) and path (kafka, http).",
        new HistogramConfiguration { LabelNames = ["stage", "path"], Buckets = LatencyBuckets });

    public static readonly Histogram BatchSize = Metrics.CreateHistogram(
        "mlops_inference_batch_size", "Rows per ONNX run.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(1, 2, 12) });

    public static readonly Counter MissingFeatures = Metrics.CreateCounter(
        "mlops_inference_missing_features_total", "Feature values missing or expired at scoring time, served as the model's default.",
        "model", "feature");

    public static readonly Counter ModelLoads = Metrics.CreateCounter(
        "mlops_inference_model_loads_total", "Model version loads by outcome (loaded, refused) and refusal reason; refused rule sets count here too, as reason rules_not_registered or rules_invalid.", "outcome", "reason");

    public static readonly Gauge ModelsLoaded = Metrics.CreateGauge(
        "mlops_inference_models_loaded", "Model versions with a live ONNX Runtime session.");

    public static readonly Histogram BatchPhaseSeconds = Metrics.CreateHistogram(
        "mlops_inference_batch_phase_seconds", "Time per consumed batch of the Kafka path in each phase (decode, score, log).",
        new HistogramConfiguration { LabelNames = ["phase"], Buckets = LatencyBuckets });

    public static readonly Counter ModelFailures = Metrics.CreateCounter(
        "mlops_inference_model_failures_total", "Rows a model could not serve, by deployment, model and reason (model_error, timeout, invalid_output, missing_required_feature).",
        "deployment", "model", "reason");

    public static readonly Counter Fallbacks = Metrics.CreateCounter(
        "mlops_inference_fallbacks_total", "Predictions served by the fallback chain (a fallback model, or the constant), by the routed arm's failure.",
        "deployment", "reason", "served_by");

    public static readonly Counter RulesFired = Metrics.CreateCounter(
        "mlops_inference_rules_fired_total", "Output rules that changed a served prediction (shadow predictions are not served and do not count), by rule set (name:version) and rule.",
        "rule_set", "rule");

    public static readonly Counter LogFailures = Metrics.CreateCounter(
        "mlops_inference_log_failures_total", "Predictions answered over HTTP whose background log write failed (Inference:HttpAwaitsLog=false).");

    public static readonly Counter RegistryRecords = Metrics.CreateCounter(
        "mlops_inference_registry_records_total", "Records read from the registry and deployment topics, by outcome (applied, poison, failed).",
        "topic", "outcome");
}
