using CsCheck;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Features.Store;
using MlOps.Testing.Features;

namespace MlOps.UnitTests.Features;

/// <summary>
/// Tiled windows against a brute-force recomputation from the raw events, over random streams: random order,
/// lateness, tile counts, batch cuts and replays.
/// </summary>
public sealed class WindowPropertyTests
{
    private const string Topic = "mlops.events.validated";
    private const long Minute = 60_000;
    private static readonly long Base = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly string[] Entities = ["JFK", "LAX", "ORD"];
    private static readonly string[] Destinations = ["ATL", "BOS", "DEN", "SEA", "SFO"];

    private static FeatureView View(int tiles, string lateness) => SpecLoader.Parse($$"""
        spec: t
        version: "1"
        contracts:
          departure:
            version: "1"
            max_clock_skew: 5m
            attributes:
              origin:      { type: string, required: true }
              destination: { type: string }
              distance:    { type: double }
        features:
          airport:
            version: "1"
            entity: origin
            sources: [departure]
            ttl: 2h
            allowed_lateness: {{lateness}}
            tiles_per_window: {{tiles}}
            aggregations:
              flights:      { function: count, windows: [10m, 1h] }
              distance:     { function: sum, attribute: distance, windows: [1h] }
              avg_distance: { function: mean, attribute: distance, windows: [10m, 1h] }
              min_distance: { function: min, attribute: distance, windows: [1h] }
              max_distance: { function: max, attribute: distance, windows: [10m] }
              routes:       { function: distinct_count, attribute: destination, windows: [1h] }
              last_dest:    { function: last, attribute: destination }
              since_last:   { function: time_since_last }
        """, "property.yaml").FeatureViews["airport"];

    private static readonly Gen<FeatureEvent[]> Streams =
        Gen.Select(
                Gen.Int[0, 180].Select(m => m * Minute + 7), // mostly increasing event times, with random disorder below
                Gen.Int[-40, 5],
                Gen.Int[0, Entities.Length - 1],
                Gen.Int[-1, Destinations.Length - 1],
                Gen.Int[-1, 4000])
            .Array[1, 120]
            .Select(raw =>
            {
                var drift = 0L;
                return raw.Select((r, i) =>
                {
                    drift = Math.Max(drift, r.Item1);
                    var attributes = new Dictionary<string, object?> { ["origin"] = Entities[r.Item3] };
                    if (r.Item4 >= 0) attributes["destination"] = Destinations[r.Item4];
                    if (r.Item5 >= 0) attributes["distance"] = r.Item5 / 4.0; // exact binary fractions: sums are order-independent
                    return new FeatureEvent(i, "departure", Base + drift + (r.Item2 * Minute), attributes);
                }).ToArray();
            });

    private static readonly Gen<(FeatureEvent[] Events, int Tiles, string Lateness, int[] Cuts, int ReplayFrom, long ReadOffset)> Cases =
        Gen.Select(Streams, Pick(1, 2, 3, 4, 5, 6, 10, 12), Pick("1ms", "5m", "30m"), Gen.Int[1, 40].Array[1, 10], Gen.Int[0, 119], Gen.Long[-30 * Minute, 90 * Minute]);

    [Fact]
    public void Windowed_values_equal_a_brute_force_recomputation()
    {
        Cases.Sample(c =>
        {
            var view = View(c.Tiles, c.Lateness);
            var store = new InMemoryFeatureStore();
            var catalog = new ViewCatalog([view]);
            foreach (var batch in Cut(c.Events, c.Cuts))
            {
                store.Process(catalog, Topic, 0, batch);
            }
            var reference = new BruteForce(view, c.Events);
            var at = reference.Watermark + Math.Max(-(long)view.AllowedLateness.TotalMilliseconds, c.ReadOffset);
            foreach (var entity in Entities)
            {
                AssertSame(reference.Read(entity, at), store.Read(view, entity, at));
            }
        }, iter: 300);
    }

    [Fact]
    public void Replays_and_other_batch_cuts_leave_the_same_state()
    {
        Cases.Sample(c =>
        {
            var view = View(c.Tiles, c.Lateness);
            var catalog = new ViewCatalog([view]);
            var once = new InMemoryFeatureStore();
            once.Process(catalog, Topic, 0, c.Events);

            var replayed = new InMemoryFeatureStore();
            foreach (var batch in Cut(c.Events, c.Cuts))
            {
                replayed.Process(catalog, Topic, 0, batch);
            }
            // A crash or rebalance replays from an older offset, cut differently.
            var from = Math.Min(c.ReplayFrom, c.Events.Length - 1);
            foreach (var batch in Cut(c.Events[from..], [.. c.Cuts.Reverse()]))
            {
                var plan = replayed.Process(catalog, Topic, 0, batch);
                Assert.True(plan.Applied == 0 && plan.Tiles.Count == 0, "a replayed batch must change nothing");
            }
            Assert.Equal(once.Snapshot(), replayed.Snapshot());
        }, iter: 300);
    }

    [Fact]
    public void Two_partitions_applied_in_any_interleaving_give_the_same_state()
    {
        Gen.Select(Streams, Streams, Gen.Int[1, 30].Array[1, 8], Gen.Bool.Array[1, 60]).Sample(c =>
        {
            var view = View(6, "5m");
            var catalog = new ViewCatalog([view]);
            var sequential = new InMemoryFeatureStore();
            sequential.Process(catalog, Topic, 0, c.Item1);
            sequential.Process(catalog, Topic, 1, c.Item2);

            var interleaved = new InMemoryFeatureStore();
            var queues = new[] { new Queue<FeatureEvent[]>(Cut(c.Item1, c.Item3)), new Queue<FeatureEvent[]>(Cut(c.Item2, c.Item3)) };
            var turn = 0;
            while (queues.Any(q => q.Count > 0))
            {
                var partition = c.Item4[turn++ % c.Item4.Length] ? 1 : 0;
                if (queues[partition].Count == 0) partition = 1 - partition;
                interleaved.Process(catalog, Topic, partition, queues[partition].Dequeue());
            }
            Assert.Equal(sequential.Snapshot(), interleaved.Snapshot());
        }, iter: 200);
    }

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static IEnumerable<FeatureEvent[]> Cut(FeatureEvent[] events, int[] sizes)
    {
        for (int start = 0, i = 0; start < events.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], events.Length - start);
            yield return events[start..(start + size)];
            start += size;
        }
    }

    private static void AssertSame(FeatureVector expected, FeatureVector actual)
    {
        Assert.Equal((expected.Status, expected.NewestEventTimeMs), (actual.Status, actual.NewestEventTimeMs));
        Assert.Equal(expected.Values.Keys.Order(StringComparer.Ordinal), actual.Values.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in expected.Values)
        {
            var other = actual.Values[name];
            if (value is double d && other is double o)
            {
                Assert.True(Math.Abs(d - o) <= 1e-9 * Math.Max(1, Math.Abs(d)), $"{name}: expected {d}, got {o}");
            }
            else
            {
                Assert.True(Equals(value, other), $"{name}: expected {value ?? "null"}, got {other ?? "null"}");
            }
        }
    }

    /// <summary>The definition: which events count (lateness against the running watermark) and what each window holds.</summary>
    private sealed class BruteForce
    {
        private readonly FeatureView _view;
        private readonly List<FeatureEvent> _applied = [];

        public BruteForce(FeatureView view, IEnumerable<FeatureEvent> events)
        {
            _view = view;
            var watermark = long.MinValue;
            foreach (var e in events)
            {
                if (watermark == long.MinValue || e.EventTimeMs >= watermark - (long)view.AllowedLateness.TotalMilliseconds)
                {
                    _applied.Add(e);
                }
                watermark = Math.Max(watermark, e.EventTimeMs);
            }
            Watermark = watermark;
        }

        public long Watermark { get; }

        public FeatureVector Read(string entity, long at)
        {
            var mine = _applied.Where(e => (string)e.Attributes["origin"]! == entity).ToList();
            if (mine.Count == 0)
            {
                return new FeatureVector(_view.Name, _view.Version, entity, FeatureStatus.Missing, at, null, null, new Dictionary<string, object?>());
            }
            var newest = mine.Max(e => e.EventTimeMs);
            var age = TimeSpan.FromMilliseconds(Math.Max(0, at - newest));
            if (age > _view.Ttl)
            {
                return new FeatureVector(_view.Name, _view.Version, entity, FeatureStatus.Expired, at, newest, age, new Dictionary<string, object?>());
            }
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var aggregation in _view.Aggregations)
            {
                foreach (var window in aggregation.Windows)
                {
                    var tileMs = (long)window.Length.TotalMilliseconds / _view.TilesPerWindow;
                    var current = Floor(at, tileMs);
                    var inWindow = mine.Where(e => Floor(e.EventTimeMs, tileMs) <= current && Floor(e.EventTimeMs, tileMs) > current - _view.TilesPerWindow).ToList();
                    var numbers = inWindow.Select(e => e.Attributes.GetValueOrDefault(aggregation.Attribute ?? "")).OfType<double>().ToList();
                    values[aggregation.FeatureName(window)] = aggregation.Function switch
                    {
                        AggregationFunction.Count => (object)(long)inWindow.Count,
                        AggregationFunction.Sum => numbers.Sum(),
                        AggregationFunction.Mean => numbers.Count == 0 ? null : numbers.Average(),
                        AggregationFunction.Min => numbers.Count == 0 ? null : numbers.Min(),
                        AggregationFunction.Max => numbers.Count == 0 ? null : numbers.Max(),
                        AggregationFunction.DistinctCount => (long)inWindow.Select(e => e.Attributes.GetValueOrDefault(aggregation.Attribute!)).OfType<string>().Distinct().Count(),
                        _ => throw new InvalidOperationException(),
                    };
                }
                if (aggregation.Function == AggregationFunction.TimeSinceLast)
                {
                    values[aggregation.Name] = age.TotalSeconds;
                }
                else if (aggregation.Function == AggregationFunction.Last)
                {
                    values[aggregation.Name] = mine
                        .Where(e => e.Attributes.GetValueOrDefault(aggregation.Attribute!) is not null)
                        .OrderBy(e => e.EventTimeMs).ThenBy(e => FeatureValueCodec.Encode(e.Attributes[aggregation.Attribute!]!), StringComparer.Ordinal)
                        .Select(e => e.Attributes[aggregation.Attribute!])
                        .LastOrDefault();
                }
            }
            return new FeatureVector(_view.Name, _view.Version, entity, FeatureStatus.Fresh, at, newest, age, values);
        }

        private static long Floor(long ms, long tile) => (long)Math.Floor(ms / (double)tile);
    }
}
