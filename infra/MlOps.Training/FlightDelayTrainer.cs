using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using MlOps.Common.Spec;
using MlOps.Models;

namespace MlOps.Training;

/// <summary>
/// Trains the flight-delay classifier (<see cref="TrainerKind"/>: FastTree or logistic regression) on the earlier
/// departures, evaluates it on the later ones, exports it to ONNX (feature inputs only), checks ONNX Runtime scores the
/// holdout like ML.NET, and writes the manifest that <see cref="OnnxModel.Load"/> verifies. Deterministic for a seed:
/// one thread, fixed ordering.
/// </summary>
public static class FlightDelayTrainer
{
    public const string ProbabilityOutput = "Probability.output";
    public const string LabelOutput = "PredictedLabel.output";

    /// <param name="dataset"><see cref="FlightDataset.LoadAsync"/> of <see cref="TrainingRequest.DataPath"/>, loaded by the caller so it can report skipped rows even when training fails.</param>
    public static TrainingReport Train(TrainingRequest request, FlightDataset dataset)
    {
        var window = request.Window ?? TrainingWindow.All;
        if (window.Problems() is { Count: > 0 } problems)
        {
            throw new TrainingException(string.Join("; ", problems));
        }
        var (flights, train, holdout) = Select(request, window, dataset.Rows);
        var lineage = string.Create(CultureInfo.InvariantCulture,
            $"{request.DataSource} {Path.GetFileName(request.DataPath)}: {flights.Count} departures {Range(flights)}{InWindow(window)} ({dataset.Skipped.Count} rows skipped); {SplitText(window, train.Count, holdout.Count)}");
        var (manifestPath, artifactPath, written) = Fit(request, train, holdout, lineage, dataset.Skipped.Count);
        return new TrainingReport(manifestPath, artifactPath, written, dataset.Rows.Count + dataset.Skipped.Count, dataset.Skipped);
    }

    /// <summary>
    /// Trains on rows assembled elsewhere — e.g. the features the model was served, from the prediction log, joined
    /// with their labels — split chronologically by the caller; <paramref name="lineage"/> says where they came from.
    /// </summary>
    public static TrainingReport TrainOnRows(
        TrainingRequest request, IReadOnlyList<FlightTrainingRow> train, IReadOnlyList<FlightTrainingRow> holdout, string lineage)
    {
        if (train.Count == 0 || holdout.Count == 0 || holdout.All(r => r.Label) || holdout.All(r => !r.Label))
        {
            throw new TrainingException($"{train.Count} train / {holdout.Count} holdout rows: both need rows, and the holdout both classes");
        }
        var (manifestPath, artifactPath, written) = Fit(request, train, holdout, lineage, skipped: 0);
        return new TrainingReport(manifestPath, artifactPath, written, train.Count + holdout.Count, []);
    }

    /// <summary>Fits, evaluates on the holdout, exports with the parity check, writes and re-verifies the manifest.</summary>
    private static (string ManifestPath, string ArtifactPath, ModelManifest Written) Fit(
        TrainingRequest request, IReadOnlyList<FlightTrainingRow> train, IReadOnlyList<FlightTrainingRow> holdout, string lineage, int skipped)
    {
        var ml = new MLContext(request.Seed);
        var (learner, description) = Learner(ml, request.Trainer, request.Seed);
        var pipeline = ml.Transforms.Concatenate("Features", FlightFeatures.All.Select(f => f.Column).ToArray()).Append(learner);
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable<FlightTrainingRow>(train));
        var scored = model.Transform(ml.Data.LoadFromEnumerable<FlightTrainingRow>(holdout));
        var evaluation = ml.BinaryClassification.Evaluate(scored);
        var expected = ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).Select(r => r.Probability).ToArray();

        Directory.CreateDirectory(request.OutDirectory);
        var manifestPath = Path.Combine(request.OutDirectory, ModelManifest.FileName(request.Name, request.Version));
        var artifactName = $"{request.Name}-{request.Version}.onnx";
        var artifactPath = Path.Combine(request.OutDirectory, artifactName);
        var draft = new ModelManifest
        {
            Name = request.Name,
            Version = request.Version,
            Artifact = artifactName,
            Outputs = new ManifestOutputs { Probability = ProbabilityOutput, Label = LabelOutput },
            TrainingData = $"{lineage}; trainer = {TrainerKinds.Name(request.Trainer)} ({description})",
            CreatedAt = DateTimeOffset.UtcNow,
            Metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["auc"] = evaluation.AreaUnderRocCurve,
                ["log_loss"] = evaluation.LogLoss,
                ["log_loss_reduction"] = evaluation.LogLossReduction,
                ["accuracy"] = evaluation.Accuracy,
                ["positive_rate"] = holdout.Count(r => r.Label) / (double)holdout.Count,
                ["train_rows"] = train.Count,
                ["holdout_rows"] = holdout.Count,
                ["skipped_rows"] = skipped,
            },
        };
        var manifest = ExportChecked(ml, model, holdout, expected, artifactPath, draft);
        manifest.Write(manifestPath);

        // What a registration will do: read the file back and load the artifact it names, hash and signature checked.
        var written = ModelManifest.Read(manifestPath);
        using (OnnxModel.Load(written.ToModelVersion(written.ArtifactPath(manifestPath), "mlops train"), written.ArtifactPath(manifestPath)))
        {
        }
        return (manifestPath, artifactPath, written);
    }

    /// <summary>
    /// The window's departures (the earliest <see cref="TrainingRequest.MaxRows"/> of them) as training rows, split
    /// chronologically. View values are replayed from every earlier departure in the file, inside the window or not,
    /// as the online store would have counted them.
    /// </summary>
    private static (IReadOnlyList<FlightRecord> Flights, IReadOnlyList<FlightTrainingRow> Train, IReadOnlyList<FlightTrainingRow> Holdout) Select(
        TrainingRequest request, TrainingWindow window, IReadOnlyList<FlightRecord> all)
    {
        var history = ChronologicalSplit.Within(all, f => f.Departure, null, window.To);
        var rows = FlightFeatureBuilder.Build(history, FlightFeatures.OriginTraffic(SpecLoader.Load(request.SpecPath)));
        var inWindow = ChronologicalSplit.Within(history.Zip(rows).ToList(), e => e.First.Departure, window.From, null);
        var selected = request.MaxRows is { } max ? inWindow.Take(max).ToList() : inWindow;
        if (selected.Count == 0)
        {
            throw new TrainingException($"no usable departures in {window.Describe()} (the file's usable departures cover {Range(all)})");
        }
        var (train, holdout) = window.HoldoutFrom is { } cut
            ? ChronologicalSplit.Split(selected, e => e.First.Departure, cut)
            : ChronologicalSplit.Split(selected, request.TrainFraction);
        var flights = selected.Select(e => e.First).ToList();
        if (window.HoldoutFrom is { } at && (train.Count == 0 || holdout.Count == 0))
        {
            throw new TrainingException(
                $"--holdout-from {TrainingWindow.Format(at)} is outside the departures used ({Range(flights)}): {train.Count} before it, {holdout.Count} from it");
        }
        if (train.Count == 0 || holdout.Count == 0 || holdout.All(e => e.Second.Label) || holdout.All(e => !e.Second.Label))
        {
            throw new TrainingException(
                $"{selected.Count} usable rows ({Range(flights)}) split {SplitText(window, train.Count, holdout.Count)}: both need rows, and the holdout both classes");
        }
        return (flights, train.Select(e => e.Second).ToList(), holdout.Select(e => e.Second).ToList());
    }

    /// <summary>The estimator after the feature concatenation, and how the manifest's lineage names it.</summary>
    private static (IEstimator<ITransformer> Estimator, string Description) Learner(MLContext ml, TrainerKind kind, int seed) => kind switch
    {
        TrainerKind.FastTree => (ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = 50,
            NumberOfLeaves = 16,
            MinimumExampleCountPerLeaf = 20,
            LearningRate = 0.2,
            NumberOfThreads = 1,
            Seed = seed,
        }), "ML.NET FastTree: 50 trees, 16 leaves, learning rate 0.2"),
        // L-BFGS is deterministic given the rows; the min-max scaling (x / max|x|) puts distances and counts on one scale.
        TrainerKind.Logistic => (ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                NumberOfThreads = 1,
            })), "ML.NET L-BFGS logistic regression on min-max normalized features"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a trainer"),
    };

    private static string InWindow(TrainingWindow window) =>
        window.From is null && window.To is null ? "" : $" in {window.Describe()}";

    private static string SplitText(TrainingWindow window, int train, int holdout) => window.HoldoutFrom is { } cut
        ? $"train = {train} before --holdout-from {TrainingWindow.Format(cut)}, holdout = {holdout} from it"
        : $"train = earliest {train}, holdout = latest {holdout}";

    /// <summary>
    /// Exports the model beside <paramref name="artifactPath"/>, fills in hash, signature and parity, and moves it into
    /// place only when ONNX Runtime agrees with ML.NET, so a failed run never replaces a good artifact of that version.
    /// </summary>
    private static ModelManifest ExportChecked(
        MLContext ml, ITransformer model, IReadOnlyList<FlightTrainingRow> holdout, float[] expected, string artifactPath, ModelManifest draft)
    {
        var candidate = artifactPath + ".tmp";
        try
        {
            using (var stream = File.Create(candidate))
            {
                // Converted against a features-only schema, so the graph's inputs are exactly the model's features.
                ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(holdout.Select(r => r.FeaturesOnly())), stream);
            }
            var manifest = draft with { Sha256 = OnnxModel.Sha256Of(candidate), Inputs = Inputs(candidate) };
            var parity = MaxAbsDiff(expected, Score(manifest, candidate, holdout));
            if (!(parity <= TrainingRequest.MaxParityDiff))
            {
                throw new TrainingException($"ONNX Runtime and ML.NET disagree on the holdout: max |diff| of probabilities {parity:G3} > {TrainingRequest.MaxParityDiff:G}");
            }
            File.Move(candidate, artifactPath, overwrite: true);
            return manifest with
            {
                Metrics = new Dictionary<string, double>(manifest.Metrics, StringComparer.Ordinal) { ["onnx_parity_max_abs_diff"] = parity },
            };
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    /// <summary>The signature from the exported graph itself: every feature must be a graph input, and nothing else.</summary>
    private static IReadOnlyList<ManifestInput> Inputs(string artifactPath)
    {
        using var session = new InferenceSession(artifactPath);
        var graph = OnnxModel.SignatureOf(session);
        var columns = FlightFeatures.All.Select(f => f.Column).ToHashSet(StringComparer.Ordinal);
        if (!graph.Inputs.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(columns))
        {
            throw new TrainingException($"the exported graph's inputs ({string.Join(", ", graph.Inputs.Keys.Order())}) are not the features ({string.Join(", ", columns.Order())})");
        }
        if (!graph.Outputs.ContainsKey(ProbabilityOutput) || !graph.Outputs.ContainsKey(LabelOutput))
        {
            throw new TrainingException($"the exported graph lacks '{ProbabilityOutput}' or '{LabelOutput}' (it has {string.Join(", ", graph.Outputs.Keys.Order())})");
        }
        return FlightFeatures.All.Select(f => new ManifestInput
        {
            Feature = f.Feature,
            OnnxInput = f.Column,
            Type = graph.Inputs[f.Column].ElementType,
            Shape = graph.Inputs[f.Column].Shape.ToArray(),
            Default = ManifestInput.Number(f.Default),
        }).ToList();
    }

    /// <summary>Scores the rows through the serving path: the verified <see cref="OnnxModel"/> and its Run.</summary>
    private static float[] Score(ModelManifest manifest, string artifactPath, IReadOnlyList<FlightFeatureRow> rows)
    {
        using var onnx = OnnxModel.Load(manifest.ToModelVersion(artifactPath, "mlops train"), artifactPath);
        var columns = new Array[FlightFeatures.All.Count];
        for (var f = 0; f < columns.Length; f++)
        {
            var column = new float[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                column[r] = rows[r].Values()[f];
            }
            columns[f] = column;
        }
        return onnx.Run(rows.Count, columns);
    }

    private static double MaxAbsDiff(float[] a, float[] b) =>
        a.Length == b.Length ? a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max() : double.PositiveInfinity;

    private static string Range(IReadOnlyList<FlightRecord> flights) => flights.Count == 0
        ? "(none)"
        : string.Create(CultureInfo.InvariantCulture, $"{flights[0].Departure:yyyy-MM-dd HH:mm} .. {flights[^1].Departure:yyyy-MM-dd HH:mm}");

    private sealed class ScoredRow
    {
        public float Probability { get; set; }
    }
}
