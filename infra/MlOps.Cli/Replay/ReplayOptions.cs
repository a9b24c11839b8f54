namespace MlOps.Cli.Replay;

/// <summary>How a replay stamps its events and when the truth becomes known.</summary>
/// <param name="Source">Names the file in ids and provenance, e.g. "flights-20k".</param>
/// <param name="LabelLag">From landing to the arrival being reported (the label's <c>observed_at</c>).</param>
internal sealed record ReplayOptions(string Source, string TenantId, TimeSpan LabelLag)
{
    public const string ProducerId = "mlops-replay";
    public const string LabelName = "arrival_delayed";
}
