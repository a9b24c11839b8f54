using MlOps.Models;

namespace MlOps.Training;

/// <summary>The outcome of a training run: the verified manifest and artifact, and the rows that were not used.</summary>
public sealed record TrainingReport(string ManifestPath, string ArtifactPath, ModelManifest Manifest, int RowsRead, IReadOnlyList<SkippedRow> Skipped);
