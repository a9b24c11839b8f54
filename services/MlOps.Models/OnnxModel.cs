using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Contracts;

namespace MlOps.Models;

/// <summary>
/// One loaded model version: its verified artifact and one <see cref="InferenceSession"/> (thread-safe, created once).
/// <see cref="Load"/> refuses an artifact whose SHA-256 differs from the registered one, that ONNX Runtime cannot
/// parse, or whose graph does not match the registered signature; the caller keeps serving what it had.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _outputNames;
    private volatile bool _disposed;

    private OnnxModel(ModelVersion version, InferenceSession session)
    {
        Version = version;
        _session = session;
        _outputNames = [version.probability_output];
    }

    public ModelVersion Version { get; }

    /// <summary><c>name:version</c>, the registry key.</summary>
    public string Key => KeyOf(Version);

    public IList<ModelInput> Inputs => Version.inputs;

    /// <summary>The registry key of a version not loaded yet (<see cref="ModelVersion.ModelKey"/>), as errors about it name it.</summary>
    public static string KeyOf(ModelVersion version) => version.ModelKey;

    public static OnnxModel Load(ModelVersion version, string artifactPath, SessionOptions? options = null)
    {
        var bytes = ReadArtifact(version, artifactPath);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, version.artifact_sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelLoadException(ModelLoadException.HashMismatch,
                $"{KeyOf(version)}: artifact {artifactPath} has SHA-256 {actual}, the registry says {version.artifact_sha256}");
        }
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(bytes) : new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(ModelLoadException.InvalidOnnx, $"{KeyOf(version)}: ONNX Runtime cannot load {artifactPath}: {ex.Message}", ex);
        }
        var problems = SignatureCheck.Problems(version, SignatureOf(session));
        if (problems.Count > 0)
        {
            session.Dispose();
            throw new ModelLoadException(ModelLoadException.SignatureMismatch,
                $"{KeyOf(version)}: the signature does not match the graph: {string.Join("; ", problems)}");
        }
        var model = new OnnxModel(version, session);
        model.WarmUp(artifactPath);
        return model;
    }

    /// <summary>
    /// One run of a single zero (or empty) row before the model serves: ONNX Runtime sets up its kernels and buffers
    /// on the first run, which would otherwise land on the first real batch (tens of ms on a busy machine, past a
    /// deployment's model timeout). A model that cannot score that row is refused here rather than on every request.
    /// </summary>
    private void WarmUp(string artifactPath)
    {
        var columns = Version.inputs.Select(input => input.type switch
        {
            "float32" => (Array)new float[1],
            "float64" => new double[1],
            "int64" => new long[1],
            _ => new[] { "" },
        }).ToList();
        try
        {
            _ = Run(1, columns);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidOperationException)
        {
            Dispose();
            throw new ModelLoadException(ModelLoadException.WarmUpFailed, $"{Key}: a first run of one zero row failed ({artifactPath}): {ex.Message}", ex);
        }
    }

    /// <summary>The SHA-256 of a file as lowercase hex, as the registry records it.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>What a graph declares, read through ONNX Runtime's metadata.</summary>
    public static GraphSignature SignatureOf(InferenceSession session) => new(
        session.InputMetadata.ToDictionary(i => i.Key, i => Node(i.Key, i.Value), StringComparer.Ordinal),
        session.OutputMetadata.ToDictionary(o => o.Key, o => Node(o.Key, o.Value), StringComparer.Ordinal));

    /// <summary>
    /// Scores <paramref name="rows"/> in one run. <paramref name="columns"/>[i] holds input i's value for every row
    /// (float[] for float32, double[] for float64, long[] for int64, string[] for string), in signature order.
    /// Returns P(positive) per row.
    /// </summary>
    public float[] Run(int rows, IReadOnlyList<Array> columns)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var inputs = new List<NamedOnnxValue>(columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var input = Version.inputs[i];
            int[] shape = input.shape.Count == 1 ? [rows] : [rows, 1];
            inputs.Add(columns[i] switch
            {
                float[] f => NamedOnnxValue.CreateFromTensor(input.onnx_input, new DenseTensor<float>(f, shape)),
                double[] d => NamedOnnxValue.CreateFromTensor(input.onnx_input, new DenseTensor<double>(d, shape)),
                long[] l => NamedOnnxValue.CreateFromTensor(input.onnx_input, new DenseTensor<long>(l, shape)),
                string[] s => NamedOnnxValue.CreateFromTensor(input.onnx_input, new DenseTensor<string>(s, shape)),
                _ => throw new ArgumentException($"column {i} has unsupported type {columns[i].GetType().Name}", nameof(columns)),
            });
        }
        using var results = _session.Run(inputs, _outputNames);
        var probabilities = results[0].AsTensor<float>();
        if (probabilities.Length != rows)
        {
            throw new InvalidOperationException($"{Key}: output '{_outputNames[0]}' has {probabilities.Length} values for {rows} rows");
        }
        var scores = new float[rows];
        var index = 0;
        foreach (var value in probabilities)
        {
            scores[index++] = value;
        }
        return scores;
    }

    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
    }

    private static byte[] ReadArtifact(ModelVersion version, string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(ModelLoadException.ArtifactMissing, $"{KeyOf(version)}: cannot read artifact {path}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // A path the file system cannot even look up (a NUL in it, say) is the registry record's fault, not a
            // missing file: refused with its own reason rather than thrown past the refusal path.
            throw new ModelLoadException(ModelLoadException.ArtifactUriInvalid,
                $"{KeyOf(version)}: artifact path '{Printable(path)}' is not a usable path: {ex.Message}", ex);
        }
    }

    /// <summary>A path as it can be shown in a log line or alert: control characters (a NUL, say) escaped.</summary>
    public static string Printable(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static GraphNode Node(string name, NodeMetadata metadata) => new(
        name,
        metadata.IsTensor ? ElementTypeName(metadata.ElementDataType) : metadata.OnnxValueType.ToString(),
        metadata.IsTensor ? metadata.Dimensions.Select(d => (long)d).ToArray() : []);

    private static string ElementTypeName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Double => "float64",
        TensorElementType.Int64 => "int64",
        TensorElementType.String => "string",
        TensorElementType.Bool => "bool",
        _ => type.ToString().ToLowerInvariant(),
    };
}
