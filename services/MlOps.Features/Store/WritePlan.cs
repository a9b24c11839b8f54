using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Features.Store;

/// <summary>
/// Everything one batch of one source partition does to the store, merged per key and field so the batch is one
/// atomic Redis call. Applied only if the partition's fence still equals <see cref="Expected"/>.
/// </summary>
public sealed class WritePlan(string topic, int partition, Fence expected)
{
    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public Fence Expected { get; } = expected;

    public Fence Next { get; set; } = expected;

    public Dictionary<(string Key, string Field), (Tile Tile, TileSchema Schema)> Tiles { get; } = [];

    public Dictionary<(string Key, string Field), string> Lasts { get; } = [];

    /// <summary>Entity key → the view and entity it holds (entities this plan writes).</summary>
    public Dictionary<string, (CompiledView View, string Entity)> Entities { get; } = new(StringComparer.Ordinal);

    /// <summary>Entity key → newest event time (ms).</summary>
    public Dictionary<string, long> Latest { get; } = new(StringComparer.Ordinal);

    /// <summary>HyperLogLog key → members to add.</summary>
    public Dictionary<string, HashSet<string>> Distinct { get; } = new(StringComparer.Ordinal);

    /// <summary>Key → retention (ms), refreshed on every write.</summary>
    public Dictionary<string, long> Retention { get; } = new(StringComparer.Ordinal);

    /// <summary>Entities the batch touched (including already-applied replays), with the newest event time per entity.</summary>
    public Dictionary<(FeatureView View, string Entity), long> Touched { get; } = [];

    /// <summary>Events applied per view (late and entity-less events are not).</summary>
    public Dictionary<string, int> AppliedByView { get; } = new(StringComparer.Ordinal);

    /// <summary>Tiles per view the plan merges into the store: one per tile field its events fall in, however many.</summary>
    public Dictionary<string, int> TilesByView { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// View → newest event time (ms) among the events this plan applies to it, for the event-time lag: replayed
    /// (already applied), late and entity-less events are not in it, so a batch that applies nothing says nothing.
    /// Derived from <see cref="Latest"/>, which holds only applied events.
    /// </summary>
    public IReadOnlyDictionary<string, long> NewestAppliedByView =>
        Latest.GroupBy(l => Entities[l.Key].View.View.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(l => l.Value), StringComparer.Ordinal);

    public int Applied { get; set; }

    public int AlreadyApplied { get; set; }

    public Dictionary<string, int> Late { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> MissingEntity { get; } = new(StringComparer.Ordinal);

    /// <summary>The Redis commands the apply script runs for this plan: fence check and write, per entity HMGET, HSET
    /// and PEXPIRE, per HyperLogLog PFADD and PEXPIRE.</summary>
    public int RedisOperations => 2 + (Latest.Count * 3) + (Distinct.Count * 2);
}
