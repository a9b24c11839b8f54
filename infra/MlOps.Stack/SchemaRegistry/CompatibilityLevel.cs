namespace MlOps.Stack.SchemaRegistry;

/// <summary>Schema evolution rule applied when a new version is registered (Confluent's levels).</summary>
public enum CompatibilityLevel
{
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}
