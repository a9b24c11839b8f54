using System.Globalization;
using MlOps.Contracts;

namespace MlOps.Models;

/// <summary>
/// Compares a registered signature with the graph it claims to describe. Every mismatch is reported (not just the
/// first), each naming the feature or input, so a refused registration says exactly what to fix.
/// </summary>
public static class SignatureCheck
{
    public static readonly IReadOnlySet<string> ElementTypes = new HashSet<string>(StringComparer.Ordinal) { "float32", "float64", "int64", "string" };

    public static IReadOnlyList<string> Problems(ModelVersion version, GraphSignature graph)
    {
        var problems = new List<string>();
        if (version.inputs is not { Count: > 0 } inputs)
        {
            problems.Add("the signature lists no inputs");
            inputs = [];
        }
        var seenFeatures = new HashSet<string>(StringComparer.Ordinal);
        var seenInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var where = $"input '{input.onnx_input}' (feature '{input.feature}')";
            if (!FeatureName.TryParse(input.feature, out _))
            {
                problems.Add($"{where}: feature must be 'event.<attribute>' or '<view>.<feature>'");
            }
            if (!seenFeatures.Add(input.feature))
            {
                problems.Add($"{where}: feature '{input.feature}' is listed twice");
            }
            if (!seenInputs.Add(input.onnx_input))
            {
                problems.Add($"{where}: ONNX input '{input.onnx_input}' is fed twice");
            }
            if (!ElementTypes.Contains(input.type))
            {
                problems.Add($"{where}: type '{input.type}' is not one of {string.Join(", ", ElementTypes)}");
            }
            if (!graph.Inputs.TryGetValue(input.onnx_input, out var node))
            {
                problems.Add($"{where}: the graph has no input named '{input.onnx_input}' (it has {Names(graph.Inputs)})");
                continue;
            }
            if (node.ElementType != input.type)
            {
                problems.Add($"{where}: the graph declares {node.ElementType}, the signature says {input.type}");
            }
            if (!ShapesAgree(input.shape, node.Shape))
            {
                problems.Add($"{where}: the graph declares shape {Shape(node.Shape)}, the signature says {Shape(input.shape)}");
            }
            else if (node.Shape.Count == 0 || node.Shape[0] != -1 || node.Shape.Skip(1).Any(d => d != 1))
            {
                problems.Add($"{where}: shape {Shape(node.Shape)} is not [batch] or [batch, 1]; only one value per row is supported");
            }
            if (input.default_value is not null && !DefaultFits(input.type, input.default_value))
            {
                problems.Add($"{where}: default {input.default_value} does not fit type {input.type}");
            }
        }
        foreach (var missing in graph.Inputs.Keys.Where(name => !seenInputs.Contains(name)).Order(StringComparer.Ordinal))
        {
            problems.Add($"the graph input '{missing}' is not fed by any feature");
        }
        if (string.IsNullOrEmpty(version.probability_output))
        {
            problems.Add("probability_output is empty");
        }
        else if (!graph.Outputs.TryGetValue(version.probability_output, out var probability))
        {
            problems.Add($"the graph has no output named '{version.probability_output}' (it has {Names(graph.Outputs)})");
        }
        else if (probability.ElementType != "float32")
        {
            problems.Add($"output '{version.probability_output}' is {probability.ElementType}, a float32 probability is expected");
        }
        if (version.label_output is { } label && !graph.Outputs.ContainsKey(label))
        {
            problems.Add($"the graph has no output named '{label}' (it has {Names(graph.Outputs)})");
        }
        return problems;
    }

    private static bool ShapesAgree(IList<long> declared, IReadOnlyList<long> graph) => declared.SequenceEqual(graph);

    private static bool DefaultFits(string type, object value) => (type, value) switch
    {
        ("string", string) => true,
        ("float32" or "float64", double) => true,
        ("int64", double d) => d == Math.Floor(d),
        _ => false,
    };

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string Names(IReadOnlyDictionary<string, GraphNode> nodes) =>
        nodes.Count == 0 ? "none" : string.Join(", ", nodes.Keys.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));
}
