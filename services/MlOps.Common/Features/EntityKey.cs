using System.Globalization;
using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// The entity a view keys an event by: its entity attributes' values joined with '|' (string and long values only),
/// or null when one is absent. The Features service writes under this key and Inference reads under it, so both
/// must compute it here.
/// </summary>
public static class EntityKey
{
    public static string? Of(FeatureView view, IReadOnlyDictionary<string, object?> attributes)
    {
        if (view.EntityAttributes.Count == 1)
        {
            return Text(attributes.GetValueOrDefault(view.EntityAttributes[0]));
        }
        var parts = new string[view.EntityAttributes.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            if (Text(attributes.GetValueOrDefault(view.EntityAttributes[i])) is not { } part)
            {
                return null;
            }
            parts[i] = part;
        }
        return string.Join('|', parts);
    }

    private static string? Text(object? value) => value switch
    {
        string { Length: > 0 } s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
