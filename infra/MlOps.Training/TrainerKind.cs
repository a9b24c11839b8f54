namespace MlOps.Training;

/// <summary>The learner a run fits; <c>mlops train --trainer</c> takes its lower-case name.</summary>
public enum TrainerKind
{
    /// <summary>ML.NET FastTree boosted trees (the v1 champion).</summary>
    FastTree,

    /// <summary>ML.NET L-BFGS logistic regression on min-max normalized features.</summary>
    Logistic,
}

/// <summary>The option names of <see cref="TrainerKind"/>.</summary>
public static class TrainerKinds
{
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<TrainerKind>().Select(Name).ToList();

    public static string Name(TrainerKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The kind with that option name (exact, lower case), or null.</summary>
    public static TrainerKind? Parse(string name) =>
        Enum.GetValues<TrainerKind>().Where(k => Name(k) == name).Select(k => (TrainerKind?)k).FirstOrDefault();
}
