using System.Globalization;
using MlOps.Common.Features;
using MlOps.Contracts;
using MlOps.Models;

namespace MlOps.Inference.Serving;

/// <summary>One row's value for each model input, what was served, and what was missing.</summary>
public sealed class AssembledRow
{
    /// <summary>Served value per feature name, exactly as the model saw it (after defaults).</summary>
    public Dictionary<string, object?> Served { get; } = new(StringComparer.Ordinal);

    /// <summary>Age of each feature-view value at read time, in ms (event attributes have none).</summary>
    public Dictionary<string, long> AgesMs { get; } = new(StringComparer.Ordinal);

    /// <summary>Features that were missing or expired and got the model's default.</summary>
    public List<string> Missing { get; } = [];

    /// <summary>Why the row cannot be scored (a required feature is missing), or null.</summary>
    public string? Unscorable { get; set; }
}

/// <summary>
/// Maps a model's signature onto one request: event attributes by name, feature-view values from the vectors read
/// for the request's entity. A missing or expired value gets the input's declared default (what training used) and
/// is reported; an input without a default is required and makes the row unscorable, with the reason.
/// </summary>
public static class ModelInputs
{
    public static AssembledRow Assemble(
        IList<ModelInput> inputs,
        IReadOnlyDictionary<string, object?> attributes,
        Func<string, FeatureVector?> vectorOfView)
    {
        var row = new AssembledRow();
        foreach (var input in inputs)
        {
            if (!FeatureName.TryParse(input.feature, out var name))
            {
                row.Unscorable ??= $"feature '{input.feature}' is not 'event.<attribute>' or '<view>.<feature>'";
                continue;
            }
            object? value;
            if (name.IsEventAttribute)
            {
                value = attributes.GetValueOrDefault(name.Name);
            }
            else
            {
                var vector = vectorOfView(name.View!);
                value = vector is { Status: FeatureStatus.Fresh } ? vector.Values.GetValueOrDefault(name.Name) : null;
                if (vector?.Age is { } age)
                {
                    row.AgesMs[input.feature] = (long)age.TotalMilliseconds;
                }
            }
            var converted = Convert(value, input.type);
            if (converted is null)
            {
                if (input.default_value is null)
                {
                    row.Unscorable ??= $"required feature '{input.feature}' is missing";
                    continue;
                }
                row.Missing.Add(input.feature);
                converted = Convert(input.default_value, input.type);
            }
            row.Served[input.feature] = converted;
        }
        return row;
    }

    /// <summary>
    /// Columns for one ONNX run over <paramref name="rows"/> (all scorable), in signature order: float[] for float32,
    /// double[] for float64, long[] for int64, string[] for string.
    /// </summary>
    public static IReadOnlyList<Array> Columns(IList<ModelInput> inputs, IReadOnlyList<AssembledRow> rows)
    {
        var columns = new Array[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var feature = inputs[i].feature;
            columns[i] = inputs[i].type switch
            {
                "float32" => rows.Select(r => (float)(double)r.Served[feature]!).ToArray(),
                "float64" => rows.Select(r => (double)r.Served[feature]!).ToArray(),
                "int64" => rows.Select(r => (long)(double)r.Served[feature]!).ToArray(),
                "string" => rows.Select(r => (string)r.Served[feature]!).ToArray(),
                var type => throw new InvalidOperationException($"input '{inputs[i].onnx_input}' has unsupported type {type}"),
            };
        }
        return columns;
    }

    /// <summary>A value in the form it is served and logged: double for numeric inputs, string for string inputs; null if absent or unusable.</summary>
    private static object? Convert(object? value, string type) => (type, value) switch
    {
        (_, null) => null,
        ("string", string s) => s,
        ("string", long l) => l.ToString(CultureInfo.InvariantCulture),
        ("string", _) => null,
        (_, double d) when double.IsFinite(d) => d,
        (_, float f) when float.IsFinite(f) => (double)f,
        (_, long l) => (double)l,
        (_, int i) => (double)i,
        (_, bool b) => b ? 1.0 : 0.0,
        _ => null,
    };
}
