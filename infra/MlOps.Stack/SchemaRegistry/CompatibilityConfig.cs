namespace MlOps.Stack.SchemaRegistry;

/// <summary>Global and per-subject compatibility levels; a subject without its own level follows the global one.</summary>
public sealed class CompatibilityConfig
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, CompatibilityLevel> subjectLevels = new(StringComparer.Ordinal);
    private CompatibilityLevel globalLevel = CompatibilityLevel.Backward;

    public CompatibilityLevel Global
    {
        get { lock (gate) { return globalLevel; } }
        set { lock (gate) { globalLevel = value; } }
    }

    /// <summary>The subject's own level, or null when it has none (Confluent then answers 40408).</summary>
    public CompatibilityLevel? GetSubjectLevel(string subject)
    {
        lock (gate)
        {
            return subjectLevels.TryGetValue(subject, out var level) ? level : null;
        }
    }

    public void SetSubjectLevel(string subject, CompatibilityLevel level)
    {
        lock (gate)
        {
            subjectLevels[subject] = level;
        }
    }

    /// <summary>Removes the subject's own level and returns it, or null when there was none.</summary>
    public CompatibilityLevel? RemoveSubjectLevel(string subject)
    {
        lock (gate)
        {
            return subjectLevels.Remove(subject, out var level) ? level : null;
        }
    }

    public CompatibilityLevel EffectiveLevel(string subject)
    {
        lock (gate)
        {
            return subjectLevels.TryGetValue(subject, out var level) ? level : globalLevel;
        }
    }
}
