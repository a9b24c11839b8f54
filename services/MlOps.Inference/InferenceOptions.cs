using System.ComponentModel.DataAnnotations;

namespace MlOps.Inference;

/// <summary>Inference settings, bound from the <c>Inference</c> section.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>The declarative spec: the feature views models read (hot-reloaded).</summary>
    [Required(ErrorMessage = "Inference:SpecPath (or MLOPS_SPEC) is required, e.g. 'infra/examples/flights/spec.yaml'.")]
    public string SpecPath { get; set; } = "";

    /// <summary>Where registered artifacts live; a model version's relative artifact_uri resolves against it.</summary>
    [Required(ErrorMessage = "Inference:ModelsDirectory (or MLOPS_MODELS_DIR) is required, e.g. '.mlops/registry'.")]
    public string ModelsDirectory { get; set; } = "";

    public string GroupId { get; set; } = "mlops-inference";

    /// <summary>The validated-events topic scored (tests point it at a topic of their own).</summary>
    public string Topic { get; set; } = MlOps.Contracts.TopicCatalog.EventsValidated;

    /// <summary>Where predictions are logged (tests point it at a topic of their own).</summary>
    public string PredictionsTopic { get; set; } = MlOps.Contracts.TopicCatalog.Predictions;

    [Range(1, 10_000, ErrorMessage = "Inference:MaxBatchSize must be between 1 and 10000.")]
    public int MaxBatchSize { get; set; } = 256;

    [Range(1, 10_000, ErrorMessage = "Inference:MaxInstances must be between 1 and 10000.")]
    public int MaxInstances { get; set; } = 1000;

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "Inference:MaxHttpBodyBytes must be between 1 KiB and 64 MiB.")]
    public int MaxHttpBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Whether <c>POST /v1/predict</c> answers only once its predictions are acknowledged by Kafka (true, the default:
    /// an answered prediction is always in the log) or right after scoring, logging in the background (false: saves
    /// the acknowledgement round trip; a log write that still fails after the producer's retries is counted in
    /// <c>mlops_inference_log_failures_total</c> and logged with its prediction ids).
    /// </summary>
    public bool HttpAwaitsLog { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads per session (0 = ONNX Runtime's default, one per core).</summary>
    [Range(0, 64)]
    public int IntraOpThreads { get; set; } = 1;
}
