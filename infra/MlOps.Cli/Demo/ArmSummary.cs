namespace MlOps.Cli.Demo;

/// <summary>One arm's predictions in a demo run.</summary>
public sealed record ArmSummary(
    string Arm,
    string Models,
    bool Shadow,
    int Predictions,
    int Departures,
    int Duplicates,
    int Unscored,
    int Fallbacks,
    double MeanProbability,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    int Labeled,
    double? Auc);
