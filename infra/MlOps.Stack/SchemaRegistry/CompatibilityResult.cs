namespace MlOps.Stack.SchemaRegistry;

/// <summary>Outcome of a compatibility check; <see cref="Messages"/> name what broke when it is not compatible.</summary>
public sealed record CompatibilityResult(bool IsCompatible, IReadOnlyList<string> Messages)
{
    public static CompatibilityResult Compatible { get; } = new(true, []);
}
