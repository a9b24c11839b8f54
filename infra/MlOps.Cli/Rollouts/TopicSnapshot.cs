using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using MlOps.Stack;

namespace MlOps.Cli.Rollouts;

/// <summary>Reads a whole topic, from its beginning to where it ended when asked, as (key, record or tombstone) in order.</summary>
internal static class TopicSnapshot
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<List<(string Key, T? Value)>> ReadAsync<T>(StackEndpoints stack, string topic, CancellationToken ct)
        where T : class
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = stack.SchemaRegistryUrl });
        using var follower = new TopicFollower<T>(stack.KafkaBootstrap, registry, topic);
        try
        {
            return await follower.CatchUpAsync(Timeout, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or KafkaException)
        {
            throw CliErrors.Reading(ex);
        }
    }
}
