using System.Globalization;
using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Features.Store;

/// <summary>
/// Pure write planning: which tiles, last values, distinct members and watermark one partition's batch produces.
/// Events at or below the fence's offset were applied before (a replay) and are skipped; an event older than the
/// running watermark minus a view's allowed lateness is late for that view, counted and not applied. The result
/// depends only on the partition's events and the fence, never on which instance runs it or how batches are cut.
/// </summary>
public static class FeaturePlanner
{
    public static WritePlan Plan(ViewCatalog views, string topic, int partition, Fence fence, IReadOnlyList<FeatureEvent> events)
    {
        var plan = new WritePlan(topic, partition, fence);
        var watermark = fence;
        foreach (var e in events.OrderBy(e => e.Offset))
        {
            var replay = e.Offset <= fence.Offset;
            foreach (var view in views.Fed(e.EventType))
            {
                if (EntityOf(view.View, e) is not { } entity)
                {
                    if (!replay)
                    {
                        Increment(plan.MissingEntity, view.View.Name);
                    }
                    continue;
                }
                if (replay)
                {
                    Touch(plan, view.View, entity, e.EventTimeMs);
                    continue;
                }
                if (watermark.IsLate(e.EventTimeMs, view.View.AllowedLateness))
                {
                    Increment(plan.Late, view.View.Name);
                    continue;
                }
                Apply(plan, view, entity, e);
            }
            if (replay)
            {
                plan.AlreadyApplied++;
                continue;
            }
            plan.Applied++;
            watermark = new Fence(e.Offset, Math.Max(watermark.WatermarkMs, e.EventTimeMs));
        }
        plan.Next = watermark;
        return plan;
    }

    /// <summary>The entity key of <paramref name="e"/> in <paramref name="view"/> (see <see cref="EntityKey"/>).</summary>
    public static string? EntityOf(FeatureView view, FeatureEvent e) => EntityKey.Of(view, e.Attributes);

    private static void Apply(WritePlan plan, CompiledView view, string entity, FeatureEvent e)
    {
        var key = FeatureKeys.Entity(view, entity);
        plan.Entities.TryAdd(key, (view, entity));
        plan.Latest[key] = plan.Latest.TryGetValue(key, out var newest) ? Math.Max(newest, e.EventTimeMs) : e.EventTimeMs;
        plan.Retention[key] = view.RetentionMs;
        Touch(plan, view.View, entity, e.EventTimeMs);
        Increment(plan.AppliedByView, view.View.Name);

        for (var w = 0; w < view.Layouts.Count; w++)
        {
            var layout = view.Layouts[w];
            var schema = view.Schemas[w];
            var index = layout.TileIndex(e.EventTimeMs);
            var parts = Tile.Empty(index, schema).Parts;
            parts[0] = 1;
            var aggregations = view.WindowAggregations[w];
            for (var a = 0; a < aggregations.Count; a++)
            {
                var aggregation = aggregations[a];
                var value = e.Attributes.GetValueOrDefault(aggregation.Attribute ?? "");
                if (aggregation.Function == AggregationFunction.DistinctCount)
                {
                    if (value is not null)
                    {
                        var hll = string.Concat(key, view.DistinctSuffixes[w][a], index.ToString(CultureInfo.InvariantCulture));
                        if (!plan.Distinct.TryGetValue(hll, out var members))
                        {
                            plan.Distinct[hll] = members = new HashSet<string>(StringComparer.Ordinal);
                        }
                        members.Add(FeatureValueCodec.Encode(value));
                        plan.Retention[hll] = view.DistinctRetentionMs[w];
                    }
                    continue;
                }
                if (aggregation.Function == AggregationFunction.Count || Numeric(value) is not { } number)
                {
                    continue;
                }
                var offset = schema.Offset(aggregation);
                switch (aggregation.Function)
                {
                    case AggregationFunction.Sum:
                        parts[offset] = number;
                        break;
                    case AggregationFunction.Mean:
                        parts[offset] = number;
                        parts[offset + 1] = 1;
                        break;
                    default: // min, max
                        parts[offset] = number;
                        break;
                }
            }
            var field = (key, view.TileFields[w][layout.Slot(index)]);
            var tile = new Tile(index, parts);
            if (plan.Tiles.TryGetValue(field, out var existing))
            {
                tile = Tile.Merge(existing.Tile, tile, schema);
            }
            else
            {
                Increment(plan.TilesByView, view.View.Name);
            }
            plan.Tiles[field] = (tile, schema);
        }
        foreach (var aggregation in view.LastAggregations)
        {
            // A non-finite double is refused by validation; one that got onto the topic anyway (written before that
            // check) is skipped as the numeric aggregations skip it, since the read API could not serialise it.
            if (e.Attributes.GetValueOrDefault(aggregation.Attribute!) is { } value && (value is not double d || double.IsFinite(d)))
            {
                var field = (key, FeatureKeys.LastField(aggregation));
                plan.Lasts[field] = LatestValue.Merge(plan.Lasts.GetValueOrDefault(field), LatestValue.Encode(e.EventTimeMs, value));
            }
        }
    }

    private static double? Numeric(object? value) => value switch
    {
        long l => l,
        double d when double.IsFinite(d) => d,
        _ => null,
    };

    private static void Touch(WritePlan plan, FeatureView view, string entity, long eventTimeMs)
    {
        var touched = (view, entity);
        plan.Touched[touched] = plan.Touched.TryGetValue(touched, out var newest) ? Math.Max(newest, eventTimeMs) : eventTimeMs;
    }

    private static void Increment(Dictionary<string, int> counts, string view) => counts[view] = counts.GetValueOrDefault(view) + 1;
}
