using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Contracts;

namespace MlOps.Models;

/// <summary>
/// The file a training run writes next to its ONNX artifact (<c>&lt;name&gt;-&lt;version&gt;.model.json</c>) and
/// <c>./mlops models register</c> reads: what the artifact is, how its inputs map to features, where it came from
/// and how well it did offline. <see cref="ToModelVersion"/> turns it into the registry record.
/// </summary>
public sealed record ModelManifest
{
    public const string FileSuffix = ".model.json";

    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("version")] public string Version { get; init; } = "";
    [JsonPropertyName("format")] public string Format { get; init; } = "onnx";

    /// <summary>The artifact's path, relative to the manifest's directory (or absolute).</summary>
    [JsonPropertyName("artifact")] public string Artifact { get; init; } = "";
    [JsonPropertyName("sha256")] public string Sha256 { get; init; } = "";
    [JsonPropertyName("inputs")] public IReadOnlyList<ManifestInput> Inputs { get; init; } = [];
    [JsonPropertyName("outputs")] public ManifestOutputs Outputs { get; init; } = new();

    /// <summary>Where the training rows came from (dataset, file, row range), for lineage.</summary>
    [JsonPropertyName("training_data")] public string? TrainingData { get; init; }

    /// <summary>Offline metrics on the holdout (auc, log_loss, accuracy, row counts, ONNX parity).</summary>
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The manifest's default file name for a model version.</summary>
    public static string FileName(string name, string version) => $"{name}-{version}{FileSuffix}";

    public static ModelManifest Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelManifestException(path, [$"cannot read it: {ex.Message}"]);
        }
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(text, Json);
        }
        catch (JsonException ex)
        {
            throw new ModelManifestException(path, [$"not valid manifest JSON at {ex.Path} (line {ex.LineNumber + 1}): {ex.Message}"]);
        }
        if (manifest is null)
        {
            throw new ModelManifestException(path, ["the file holds null, not a manifest"]);
        }
        var problems = manifest.Problems();
        if (problems.Count > 0)
        {
            throw new ModelManifestException(path, problems);
        }
        return manifest;
    }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The artifact's full path, resolved against the manifest's directory.</summary>
    public string ArtifactPath(string manifestPath) =>
        Path.GetFullPath(Artifact, Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);

    /// <summary>Every field-level problem (the graph itself is checked by <see cref="OnnxModel.Load"/>).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!IsName(Name))
        {
            problems.Add($"name: '{Name}' must be 1-64 characters of letters, digits, '-', '_' or '.'");
        }
        if (!IsName(Version))
        {
            problems.Add($"version: '{Version}' must be 1-64 characters of letters, digits, '-', '_' or '.'");
        }
        if (Format != "onnx")
        {
            problems.Add($"format: '{Format}' is not supported (only 'onnx')");
        }
        if (string.IsNullOrWhiteSpace(Artifact))
        {
            problems.Add("artifact: missing");
        }
        if (Sha256.Length != 64 || !Sha256.All(char.IsAsciiHexDigit))
        {
            problems.Add($"sha256: '{Sha256}' is not 64 hex digits");
        }
        if (Inputs.Count == 0)
        {
            problems.Add("inputs: the model declares no inputs");
        }
        for (var i = 0; i < Inputs.Count; i++)
        {
            var input = Inputs[i];
            if (string.IsNullOrEmpty(input.Feature)) problems.Add($"inputs[{i}].feature: missing");
            if (string.IsNullOrEmpty(input.OnnxInput)) problems.Add($"inputs[{i}].onnx_input: missing");
            if (input.Default is { } value && value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
            {
                problems.Add($"inputs[{i}].default: must be a number, a string or null, not {value.ValueKind}");
            }
        }
        if (string.IsNullOrEmpty(Outputs.Probability))
        {
            problems.Add("outputs.probability: missing");
        }
        return problems;
    }

    /// <summary>The registry record for this manifest, its artifact at <paramref name="artifactUri"/>.</summary>
    public ModelVersion ToModelVersion(string artifactUri, string? createdBy) => new()
    {
        model_name = Name,
        version = Version,
        format = Format,
        artifact_uri = artifactUri,
        artifact_sha256 = Sha256.ToLowerInvariant(),
        inputs = Inputs.Select(i => new ModelInput
        {
            feature = i.Feature,
            onnx_input = i.OnnxInput,
            type = i.Type,
            shape = i.Shape.ToList(),
            default_value = i.Default switch
            {
                { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
                { ValueKind: JsonValueKind.String } s => s.GetString(),
                _ => null,
            },
        }).ToList(),
        outputs = new[] { Outputs.Probability, Outputs.Label }.OfType<string>().ToList(),
        probability_output = Outputs.Probability,
        label_output = Outputs.Label,
        training_metrics = Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal),
        training_data = TrainingData,
        created_by = createdBy,
        created_at = CreatedAt.UtcDateTime,
    };

    private static bool IsName(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>One model input: which feature feeds which ONNX input, with its element type, shape and default.</summary>
public sealed record ManifestInput
{
    /// <summary><c>event.&lt;attribute&gt;</c> or <c>&lt;view&gt;.&lt;feature&gt;</c>.</summary>
    [JsonPropertyName("feature")] public string Feature { get; init; } = "";
    [JsonPropertyName("onnx_input")] public string OnnxInput { get; init; } = "";

    /// <summary>float32, float64, int64 or string.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "float32";
    [JsonPropertyName("shape")] public IReadOnlyList<long> Shape { get; init; } = [-1, 1];

    /// <summary>Served when the value is missing or expired; null makes the input required (no score without it).</summary>
    [JsonPropertyName("default")] public JsonElement? Default { get; init; }

    public static JsonElement Number(double value) => JsonSerializer.SerializeToElement(value);
}

public sealed record ManifestOutputs
{
    /// <summary>The float32 output holding P(positive) per row.</summary>
    [JsonPropertyName("probability")] public string Probability { get; init; } = "";
    [JsonPropertyName("label")] public string? Label { get; init; }
}

/// <summary>A manifest that cannot be registered, with every problem found.</summary>
public sealed class ModelManifestException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {problems.Count} problem(s): {string.Join("; ", problems)}")
{
    public string Path { get; } = path;
    public IReadOnlyList<string> ManifestProblems { get; } = problems;
}
