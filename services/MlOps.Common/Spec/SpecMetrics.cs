using Prometheus;

namespace MlOps.Common.Spec;

/// <summary>Makes spec reloads visible: a counter by outcome and an info gauge carrying the version in force.</summary>
public static class SpecMetrics
{
    private static readonly Counter Reloads = Metrics.CreateCounter(
        "mlops_spec_reloads_total", "Spec reloads by outcome (applied, refused).", "outcome");

    private static readonly Gauge Info = Metrics.CreateGauge(
        "mlops_spec_info", "1 for the spec version in force.", "spec", "version");

    public static SpecProvider Attach(SpecProvider provider)
    {
        Publish(provider.Current);
        provider.Changed += spec =>
        {
            Reloads.WithLabels("applied").Inc();
            Publish(spec);
        };
        provider.ReloadFailed += _ => Reloads.WithLabels("refused").Inc();
        return provider;
    }

    private static void Publish(PlatformSpec spec)
    {
        foreach (var labels in Info.GetAllLabelValues().ToList())
        {
            Info.RemoveLabelled(labels);
        }
        Info.WithLabels(spec.Name, spec.VersionTag).Set(1);
    }
}
