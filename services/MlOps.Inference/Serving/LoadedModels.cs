using MlOps.Contracts;
using MlOps.Models;

namespace MlOps.Inference.Serving;

/// <summary>
/// The model versions in the registry as this instance knows them, and the ONNX models loaded for them. A version is
/// loaded the first time a deployment asks for it; one that cannot be loaded (not registered, missing artifact, hash
/// mismatch, corrupt ONNX, signature mismatch) is refused in the <see cref="RefusalLedger"/> with its reason until it
/// is registered again. Not thread-safe: used only under <see cref="ServingState"/>'s lock.
/// </summary>
internal sealed class LoadedModels(Func<ModelVersion, OnnxModel> load, RefusalLedger refusals, ILogger logger)
{
    private readonly Dictionary<string, ModelVersion> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelHandle> _loaded = new(StringComparer.Ordinal);

    /// <summary>Raised after a model version was refused: (model key, reason code, message).</summary>
    public event Action<string, string, string>? Refused;

    /// <summary>A model version record (null = tombstone); either way an earlier refusal of the key is forgotten.</summary>
    public void OnModelVersion(string key, ModelVersion? version)
    {
        refusals.Clear(key);
        if (version is null)
        {
            _versions.Remove(key);
        }
        else
        {
            _versions[key] = version;
        }
    }

    /// <summary>The loaded model for <paramref name="modelKey"/>, loading it first if need be; null when it is refused.</summary>
    public ModelHandle? LoadIfNeeded(string modelKey)
    {
        if (_loaded.TryGetValue(modelKey, out var loaded))
        {
            return loaded;
        }
        if (refusals.Contains(modelKey))
        {
            return null;
        }
        if (!_versions.TryGetValue(modelKey, out var version))
        {
            RefuseModel(modelKey, "not_registered", $"{modelKey} is not in the registry ({TopicCatalog.Models})");
            return null;
        }
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var handle = new ModelHandle(load(version));
            _loaded[modelKey] = handle;
            InferenceMetrics.ModelLoads.WithLabels("loaded", "").Inc();
            InferenceMetrics.ModelsLoaded.Inc();
            logger.LogInformation("Loaded {Model} ({Inputs} inputs, sha256 {Sha}) in {Ms:F0} ms", modelKey, version.inputs.Count,
                version.artifact_sha256, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return handle;
        }
        catch (ModelLoadException ex)
        {
            RefuseModel(modelKey, ex.Reason, ex.Message);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever else one version's load throws refuses that version (alert, metric, the previous version keeps
            // serving); thrown on, it would escape Reconcile and stop the registry watcher on every replay.
            RefuseModel(modelKey, ModelLoadException.LoadFailed, $"{modelKey}: loading failed: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// Drops this holder's reference to every loaded model not in <paramref name="used"/>; a snapshot still routing to
    /// one keeps it alive until that snapshot is released.
    /// </summary>
    public void UnloadAllBut(IReadOnlySet<string> used)
    {
        foreach (var unused in _loaded.Keys.Where(k => !used.Contains(k)).ToList())
        {
            logger.LogInformation("Unloading {Model}: no deployment routes to it", unused);
            _loaded.Remove(unused, out var handle);
            handle!.Release();
        }
    }

    /// <summary>Drops this holder's reference to every loaded model (on dispose).</summary>
    public void ReleaseAll()
    {
        foreach (var handle in _loaded.Values)
        {
            handle.Release();
        }
        _loaded.Clear();
    }

    private void RefuseModel(string modelKey, string reason, string message)
    {
        refusals.Record(modelKey, reason, message);
        logger.LogError("Refused {Model} ({Reason}): {Message}", modelKey, reason, message);
        Refused?.Invoke(modelKey, reason, message);
    }
}
