using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

/// <summary>
/// Reads typed values off a YAML node tree, collecting every error with its file, line, column and dotted field
/// instead of stopping at the first. The spec, deployment, rule set and rollout files all read through it; each
/// adds the value kinds it needs.
/// </summary>
public class LocatedYamlReader(string file)
{
    private readonly List<SpecError> _errors = [];

    /// <summary>
    /// The root mapping of a declarative file's YAML. Text that is not YAML fails with its line, column and the
    /// parser's innermost message as field "(yaml)"; an empty file or another root fails at 1:1 as field "(root)"
    /// with <paramref name="rootExpectation"/>. <paramref name="fail"/> builds the exception (SpecException by default).
    /// </summary>
    public static YamlMappingNode LoadRoot(string yaml, string file, string rootExpectation, Func<IReadOnlyList<SpecError>, Exception>? fail = null)
    {
        fail ??= errors => new SpecException(errors);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw fail([new SpecError(file, (int)ex.Start.Line, (int)ex.Start.Column, "(yaml)", Innermost(ex).Message)]);
        }
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw fail([new SpecError(file, 1, 1, "(root)", rootExpectation)]);
    }

    private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;

    protected string File { get; } = file;

    /// <summary>Errors so far (a reader checks whether a step added any).</summary>
    public int Count => _errors.Count;

    /// <summary>Errors so far, in the order found.</summary>
    protected IReadOnlyList<SpecError> Errors => _errors;

    public void Error(YamlNode node, string field, string message) =>
        _errors.Add(new SpecError(File, (int)node.Start.Line, (int)node.Start.Column, field, message));

    public T? Error<T>(YamlNode node, string field, string message)
    {
        Error(node, field, message);
        return default;
    }

    protected void Add(SpecError error) => _errors.Add(error);

    /// <summary>Throws <see cref="SpecException"/> with every error, in file order, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw Failure(_errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
    }

    /// <summary>The exception <see cref="ThrowIfAny"/> throws; a file kind with its own exception type overrides it.</summary>
    protected virtual Exception Failure(IReadOnlyList<SpecError> errors) => new SpecException(errors);

    public YamlMappingNode? Mapping(YamlNode node, string field) => node is YamlMappingNode map
        ? map
        : Error<YamlMappingNode>(node, field, "must be a mapping (key: value lines)");

    public string? Scalar(YamlNode node, string field) => node is YamlScalarNode { Value: { Length: > 0 } value }
        ? value
        : Error<string>(node, field, "must be a non-empty value");

    /// <summary>The field <paramref name="key"/> as <c>true</c> or <c>false</c>; null when absent or not one of them (an error then).</summary>
    public bool? Bool(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        return text switch
        {
            "true" => true,
            "false" => false,
            _ => Error<bool?>(node, Join(path, key), $"'{text}' is not true or false"),
        };
    }

    /// <summary>A list of values, or one value as a scalar.</summary>
    public IReadOnlyList<(string Value, YamlNode Node)> Names(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            return [];
        }
        var items = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
        var names = new List<(string, YamlNode)>();
        foreach (var item in items)
        {
            if (Scalar(item, Join(path, key)) is { } value)
            {
                names.Add((value, item));
            }
        }
        return names;
    }

    /// <summary>The mapping's fields by name; unknown names are errors (they are usually typos).</summary>
    public Dictionary<string, YamlNode> Fields(YamlMappingNode map, string path, string[] known)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(key))
            {
                Error(keyNode, Join(path, key), $"unknown field; expected one of {string.Join(", ", known)}");
                continue;
            }
            fields[key] = value;
        }
        return fields;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
