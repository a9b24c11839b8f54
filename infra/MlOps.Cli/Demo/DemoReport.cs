using System.Globalization;
using System.Text;
using System.Text.Json;
using MlOps.Cli.Replay;

namespace MlOps.Cli.Demo;

/// <summary>The demo's closing report: a short text for people and the same numbers as JSON for scripts and tests.</summary>
internal static class DemoReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Text(DemoSummary summary, ReplayCounts replay, TimeSpan drainedAfter, IReadOnlyDictionary<string, string> endpoints, StackPaths paths)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"== demo report ==");
        Line($"replay      {replay.Departures:N0} departures and {replay.Arrivals:N0} arrivals in {replay.Elapsed.TotalSeconds:F1} s ({replay.EventsPerSecond:N0} events/s); {replay.Labels:N0} labels to mlops.labels");
        Line($"ingestion   {summary.Raw:N0} events in: {summary.Validated:N0} validated ({Counts(summary.ValidatedByType)}), {summary.Quarantined:N0} quarantined{(summary.Quarantined > 0 ? $" ({Counts(summary.QuarantinedByReason)})" : "")}");
        Line($"inference   every departure scored by every arm {drainedAfter.TotalSeconds:F1} s after the replay began");
        Line($"  {"arm",-10} {"model",-16} {"predictions",11} {"dup",4} {"fallback",8} {"mean p",7} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"labeled",8} {"AUC",6}");
        foreach (var arm in summary.Arms)
        {
            Line($"  {arm.Arm + (arm.Shadow ? "*" : ""),-10} {arm.Models,-16} {arm.Predictions,11:N0} {arm.Duplicates,4} {arm.Fallbacks,8} {arm.MeanProbability,7:F3} {arm.LatencyP50Ms,7:F2} {arm.LatencyP95Ms,7:F2} {arm.LatencyP99Ms,7:F2} {arm.Labeled,8:N0} {(arm.Auc is { } auc ? auc.ToString("F3", CultureInfo.InvariantCulture) : "-"),6}");
        }
        Line($"  (* shadow: scored and logged, never served; latency = batch start to scores, per prediction)");
        Line($"labels      {summary.Labels:N0} arrivals reported, {summary.LabelPositiveRate:P1} delayed > 15 min; {summary.MeanLabelDelayHours:F1} h of event time after the prediction on average; {summary.LabelsNotAfterPrediction} not after it");
        foreach (var service in ServiceCatalog.All.Where(s => endpoints.ContainsKey(s.UrlVariable)))
        {
            Line($"metrics     {service.Name,-10} {endpoints[service.UrlVariable]}/metrics   (log {paths.ServiceLogFile(service)})");
        }
        Line($"            what each metric means: README, Metrics; the topics: source {paths.EnvFile} && kcat -L -b $KAFKA_BOOTSTRAP");
        return text.ToString();
    }

    public static string ToJson(DemoSummary summary, ReplayCounts replay, TimeSpan drainedAfter) => JsonSerializer.Serialize(new
    {
        replay = new { replay.Departures, replay.Arrivals, replay.Labels, elapsed_seconds = replay.Elapsed.TotalSeconds, events_per_second = replay.EventsPerSecond },
        events_in = summary.Raw,
        validated = summary.Validated,
        quarantined = summary.Quarantined,
        summary.RawByType,
        summary.ValidatedByType,
        summary.QuarantinedByReason,
        arms = summary.Arms,
        labels = summary.Labels,
        label_positive_rate = summary.LabelPositiveRate,
        labels_not_after_prediction = summary.LabelsNotAfterPrediction,
        mean_label_delay_hours = summary.MeanLabelDelayHours,
        drained_after_seconds = drainedAfter.TotalSeconds,
    }, Json);

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:N0}")));
}
