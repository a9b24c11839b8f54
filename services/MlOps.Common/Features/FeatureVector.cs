namespace MlOps.Common.Features;

/// <summary>Whether an entity's values could be served.</summary>
public enum FeatureStatus
{
    /// <summary>Values are within the view's TTL.</summary>
    Fresh,

    /// <summary>The entity's newest event is older than the TTL at read time: values are withheld.</summary>
    Expired,

    /// <summary>No event for the entity has been applied (or its keys were evicted).</summary>
    Missing,
}

/// <summary>
/// One entity's values of one view as read at <paramref name="AtMs"/>. <paramref name="Age"/> is the read time minus
/// the newest event time included (never negative); an expired or missing entity has no values.
/// </summary>
public sealed record FeatureVector(
    string View,
    string ViewVersion,
    string Entity,
    FeatureStatus Status,
    long AtMs,
    long? NewestEventTimeMs,
    TimeSpan? Age,
    IReadOnlyDictionary<string, object?> Values);
