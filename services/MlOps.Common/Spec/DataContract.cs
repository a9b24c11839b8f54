namespace MlOps.Common.Spec;

/// <summary>What a valid event of one type looks like. Absent limits (null) are not checked.</summary>
/// <param name="EventType">The <c>event_type</c> the contract applies to.</param>
/// <param name="Version">Stamped on validated events as <c>contract_version</c>.</param>
/// <param name="Attributes">Declared attributes by name.</param>
/// <param name="MaxAttributes">Most attributes an event may carry.</param>
/// <param name="MaxEventBytes">Largest encoded event accepted.</param>
/// <param name="MaxClockSkew">How far in the future <c>event_time</c> may be.</param>
/// <param name="MaxAge">How old an event may be.</param>
/// <param name="AllowUnknownAttributes">Whether attributes the contract does not declare are accepted.</param>
/// <param name="Quality">Data-quality thresholds that raise alerts.</param>
public sealed record DataContract(
    string EventType,
    string Version,
    IReadOnlyDictionary<string, AttributeRule> Attributes,
    int? MaxAttributes,
    int? MaxEventBytes,
    TimeSpan? MaxClockSkew,
    TimeSpan? MaxAge,
    bool AllowUnknownAttributes,
    QualityThresholds Quality);

/// <summary>Data-quality thresholds evaluated over tumbling windows of <paramref name="Window"/> events.</summary>
/// <param name="Window">Events per evaluation window.</param>
/// <param name="MaxQuarantineRate">Highest acceptable fraction of quarantined events; null = not monitored.</param>
/// <param name="MinCompleteness">Lowest acceptable non-null fraction per attribute.</param>
public sealed record QualityThresholds(int Window, double? MaxQuarantineRate, IReadOnlyDictionary<string, double> MinCompleteness)
{
    public const int DefaultWindow = 500;

    public static QualityThresholds None { get; } = new(DefaultWindow, null, new Dictionary<string, double>());
}
