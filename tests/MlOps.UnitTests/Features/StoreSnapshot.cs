using MlOps.Common.Features;

namespace MlOps.Testing.Features;

/// <summary>
/// A store's content as sorted text: hash fields (tiles re-encoded, so Lua's and .NET's number formatting compare
/// equal), distinct counts and fences. Two stores with the same snapshot serve the same features.
/// </summary>
internal static class StoreSnapshot
{
    public static string Format(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> hashes,
        IReadOnlyDictionary<string, long> distinctCounts,
        IReadOnlyDictionary<string, string> fences) => string.Join('\n',
        hashes.OrderBy(h => h.Key, StringComparer.Ordinal)
            .SelectMany(h => h.Value.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{h.Key} {f.Key}={Normalize(f.Key, f.Value)}"))
            .Concat(distinctCounts.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} count={d.Value}"))
            .Concat(fences.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"fence {f.Key}={f.Value}")));

    private static string Normalize(string field, string value) => field.StartsWith('t') ? Tile.Decode(value).Encode() : value;
}
