using System.Globalization;
using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// The online store's Redis layout. One hash per view version and entity holds every tile slot, the newest event
/// time and the last values, so one HGETALL reads an entity's whole view; distinct counts are HyperLogLogs per tile.
/// A new view version writes new keys; a view that changes its <see cref="StorageLayout"/> must take a new version
/// (the Features service refuses it otherwise), so layouts never mix under one key.
/// </summary>
public static class FeatureKeys
{
    /// <summary>Per source partition: the last offset applied and the partition's event-time watermark.</summary>
    public const string Fence = "mlops:features:fence";

    /// <summary>Hash field with the newest event time (ms) of the entity.</summary>
    public const string LatestField = "latest";

    public static string Entity(FeatureView view, string entity) => $"mlops:fv:{view.Name}@{view.Version}:{entity}";

    /// <summary>The entity hash key from the view's precomputed prefix.</summary>
    public static string Entity(CompiledView view, string entity) => view.KeyPrefix + entity;

    public static string TileField(int windowIndex, int slot) =>
        $"t{windowIndex.ToString(CultureInfo.InvariantCulture)}:{slot.ToString(CultureInfo.InvariantCulture)}";

    public static string LastField(Aggregation aggregation) => "last:" + aggregation.Name;

    public static string Distinct(FeatureView view, string entity, Aggregation aggregation, FeatureWindow window, long tileIndex) =>
        $"{Entity(view, entity)}{DistinctSuffix(aggregation, window)}{tileIndex.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What follows the entity key in a HyperLogLog key, up to the tile index.</summary>
    public static string DistinctSuffix(Aggregation aggregation, FeatureWindow window) => $":hll:{aggregation.Name}:{window.Label}:";

    public static string FenceField(string topic, int partition) => $"{topic}:{partition.ToString(CultureInfo.InvariantCulture)}";
}
