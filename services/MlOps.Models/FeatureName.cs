namespace MlOps.Models;

/// <summary>
/// A model input's source: <c>event.&lt;attribute&gt;</c> (the scored event's attribute) or
/// <c>&lt;view&gt;.&lt;feature&gt;</c> (a value of a feature view, read from the online store for the event's entity).
/// </summary>
public readonly record struct FeatureName(string? View, string Name)
{
    public const string EventPrefix = "event";

    public bool IsEventAttribute => View is null;

    public static bool TryParse(string text, out FeatureName name)
    {
        name = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1 || text.IndexOf('.', dot + 1) >= 0)
        {
            return false;
        }
        var (source, feature) = (text[..dot], text[(dot + 1)..]);
        name = new FeatureName(source == EventPrefix ? null : source, feature);
        return true;
    }

    public override string ToString() => $"{View ?? EventPrefix}.{Name}";
}
