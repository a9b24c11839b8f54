namespace MlOps.Stack;

/// <summary>Ports and sizes of the embedded stack; 0 means any free port.</summary>
public sealed record EmbeddedStackOptions
{
    public int Brokers { get; init; } = 3;
    public int RegistryPort { get; init; }
    public int RedisPort { get; init; }
    public bool CreateCatalogTopics { get; init; } = true;
    public TimeSpan InitialRebalanceDelay { get; init; } = TimeSpan.FromMilliseconds(200);
}
