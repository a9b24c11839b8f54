using MlOps.Common.Features;
using MlOps.Common.Spec;
using StackExchange.Redis;

namespace MlOps.Features.Store;

/// <summary>
/// The storage layout each view version's data in Redis was written in: hash <see cref="Key"/>, field
/// <c>name@version</c>, value <see cref="StorageLayout.Encode"/>. Recording a spec's views is atomic and all or
/// nothing: a view whose fingerprint differs from the one held refuses the whole spec and records nothing; otherwise
/// the views not yet held are recorded (HSETNX), so the first writer of a view version fixes its layout.
/// </summary>
public sealed class LayoutRegistry(IConnectionMultiplexer redis)
{
    public const string Key = "mlops:features:layouts";

    // ARGV: field, fingerprint, encoded layout per view. Returns field and held value per conflict.
    private const string Script = """
        local conflicts = {}
        for i = 1, #ARGV, 3 do
          local held = redis.call('HGET', KEYS[1], ARGV[i])
          if held and string.match(held, '^[^\n]*') ~= ARGV[i + 1] then
            conflicts[#conflicts + 1] = ARGV[i]
            conflicts[#conflicts + 1] = held
          end
        end
        if #conflicts == 0 then
          for i = 1, #ARGV, 3 do
            redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 2])
          end
        end
        return conflicts
        """;

    private static readonly RedisKey[] Keys = [Key];

    /// <summary>Records the views' layouts, or returns the views whose layout changed without a new version.</summary>
    public async Task<IReadOnlyList<LayoutConflict>> RecordAsync(IEnumerable<FeatureView> views, CancellationToken ct)
    {
        var layouts = Layouts(views);
        var result = await redis.GetDatabase().ScriptEvaluateAsync(Script, Keys, Args(layouts)).WaitAsync(ct);
        return Conflicts(layouts, result);
    }

    /// <summary><see cref="RecordAsync"/> for the spec provider's reload check, which is synchronous.</summary>
    public IReadOnlyList<LayoutConflict> Record(IEnumerable<FeatureView> views)
    {
        var layouts = Layouts(views);
        return Conflicts(layouts, redis.GetDatabase().ScriptEvaluate(Script, Keys, Args(layouts)));
    }

    private static Dictionary<string, (FeatureView View, StorageLayout Layout)> Layouts(IEnumerable<FeatureView> views) =>
        views.ToDictionary(v => v.VersionTag, v => (v, StorageLayout.Of(v)), StringComparer.Ordinal);

    private static RedisValue[] Args(Dictionary<string, (FeatureView View, StorageLayout Layout)> layouts) =>
        [.. layouts.SelectMany(l => new RedisValue[] { l.Key, l.Value.Layout.Fingerprint, l.Value.Layout.Encode() })];

    private static List<LayoutConflict> Conflicts(Dictionary<string, (FeatureView View, StorageLayout Layout)> layouts, RedisResult result)
    {
        var values = (RedisResult[])result!;
        var conflicts = new List<LayoutConflict>();
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            var (view, layout) = layouts[(string)values[i]!];
            conflicts.Add(new LayoutConflict(view, StorageLayout.Decode((string)values[i + 1]!), layout));
        }
        return conflicts;
    }
}
