namespace MlOps.Cli.Demo;

/// <summary>What a demo run put through the platform, counted from the topics themselves.</summary>
public sealed record DemoSummary(
    IReadOnlyDictionary<string, int> RawByType,
    IReadOnlyDictionary<string, int> ValidatedByType,
    IReadOnlyDictionary<string, int> QuarantinedByReason,
    IReadOnlyList<ArmSummary> Arms,
    int Labels,
    double LabelPositiveRate,
    int LabelsNotAfterPrediction,
    double MeanLabelDelayHours)
{
    public int Raw => RawByType.Values.Sum();

    public int Validated => ValidatedByType.Values.Sum();

    public int Quarantined => QuarantinedByReason.Values.Sum();
}
