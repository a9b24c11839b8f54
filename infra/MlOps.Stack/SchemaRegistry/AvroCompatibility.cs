using Avro;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// Confluent's compatibility rules on top of Avro schema resolution (<c>reader.CanRead(writer)</c>):
/// BACKWARD = the new schema reads old data, FORWARD = old schemas read new data, FULL = both;
/// *_TRANSITIVE compare against every version instead of only the latest.
/// </summary>
public static class AvroCompatibility
{
    /// <param name="existing">The subject's versions, oldest first.</param>
    public static CompatibilityResult Check(
        Schema candidate, IReadOnlyList<(int Version, Schema Schema)> existing, CompatibilityLevel level)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existing);
        if (level == CompatibilityLevel.None || existing.Count == 0)
        {
            return CompatibilityResult.Compatible;
        }

        var against = IsTransitive(level) ? existing : [existing[^1]];
        var messages = new List<string>();
        foreach (var (version, old) in against.Reverse())
        {
            messages.AddRange(CheckOne(candidate, old, version, level));
        }

        return messages.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(false, messages);
    }

    /// <summary>Checks against one version only, in the direction(s) <paramref name="level"/> asks for.</summary>
    public static CompatibilityResult CheckVersion(Schema candidate, int version, Schema old, CompatibilityLevel level)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(old);
        var messages = CheckOne(candidate, old, version, level);
        return messages.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(false, messages);
    }

    private static List<string> CheckOne(Schema candidate, Schema old, int version, CompatibilityLevel level)
    {
        var messages = new List<string>();
        var oldRole = $"old (version {version})";
        if (ChecksBackward(level))
        {
            messages.AddRange(AvroIncompatibilityExplainer.Explain(candidate, old, "new", oldRole));
        }

        if (ChecksForward(level))
        {
            messages.AddRange(AvroIncompatibilityExplainer.Explain(old, candidate, oldRole, "new"));
        }

        return messages;
    }

    private static bool IsTransitive(CompatibilityLevel level) => level is CompatibilityLevel.BackwardTransitive
        or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;

    private static bool ChecksBackward(CompatibilityLevel level) => level is CompatibilityLevel.Backward
        or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;

    private static bool ChecksForward(CompatibilityLevel level) => level is CompatibilityLevel.Forward
        or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
}
