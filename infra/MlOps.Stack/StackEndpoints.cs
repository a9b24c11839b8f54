namespace MlOps.Stack;

/// <summary>How to reach a running stack; written to and read from <c>.mlops/stack.env</c>.</summary>
public sealed record StackEndpoints(string KafkaBootstrap, string SchemaRegistryUrl, string RedisUrl)
{
    public const string KafkaVariable = "KAFKA_BOOTSTRAP";
    public const string RegistryVariable = "SCHEMA_REGISTRY_URL";
    public const string RedisVariable = "REDIS_URL";

    public IReadOnlyDictionary<string, string> ToVariables() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [KafkaVariable] = KafkaBootstrap,
        [RegistryVariable] = SchemaRegistryUrl,
        [RedisVariable] = RedisUrl,
    };

    /// <summary>Reads the three variables from a stack.env file (KEY=VALUE lines; other keys are ignored).</summary>
    public static StackEndpoints FromEnvFile(string path)
    {
        var values = StackEnvFile.Read(path);
        string Get(string key) => values.TryGetValue(key, out var v) && v.Length > 0
            ? v
            : throw new InvalidOperationException($"{path} has no {key}; is the stack up? Run './mlops up --detach'.");
        return new StackEndpoints(Get(KafkaVariable), Get(RegistryVariable), Get(RedisVariable));
    }
}
