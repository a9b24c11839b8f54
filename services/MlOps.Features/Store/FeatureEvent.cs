namespace MlOps.Features.Store;

/// <summary>A validated event as the planner sees it: its offset in the source partition, type, time and attributes.</summary>
public sealed record FeatureEvent(long Offset, string EventType, long EventTimeMs, IReadOnlyDictionary<string, object?> Attributes);
