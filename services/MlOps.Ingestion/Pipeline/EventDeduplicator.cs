using StackExchange.Redis;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// Remembers the ids of validated events for the dedupe horizon with one pipelined <c>SET key claim NX GET PX</c> per
/// event. The claim names the input's position, so a replay of the same Kafka offset (crash, rebalance) finds its own
/// claim and is not mistaken for a duplicate: dedupe never turns at-least-once into at-most-once. An event bound for
/// quarantine only looks (<c>GET</c>): it holds no id, so its corrected re-send is not taken for a duplicate.
/// </summary>
public sealed class EventDeduplicator(IConnectionMultiplexer redis)
{
    private const string KeyPrefix = "mlops:ingest:event:";

    // Deletes a claim only if it is still ours, so a failed HTTP request can be retried by the producer.
    private static readonly LuaScript ReleaseScript = LuaScript.Prepare(
        "if redis.call('GET', @key) == @claim then return redis.call('DEL', @key) end return 0");

    /// <summary>
    /// For each (eventId, claim, hold): true when the event is new (or our own replay), false for a duplicate. Only
    /// entries with <c>Hold</c> take the id; the others are checked against it. Commands run in order on one
    /// connection, so within a batch an entry sees the claims of the entries before it.
    /// </summary>
    public async Task<bool[]> ClaimAsync(IReadOnlyList<(string EventId, string Claim, bool Hold)> events, TimeSpan horizon, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var db = redis.GetDatabase();
        var previous = events
            .Select(e => e.Hold
                ? db.StringSetAndGetAsync(KeyPrefix + e.EventId, e.Claim, (TimeSpan?)horizon, when: When.NotExists)
                : db.StringGetAsync(KeyPrefix + e.EventId))
            .ToArray();
        await Task.WhenAll(previous);
        var fresh = new bool[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var holder = await previous[i]; // already completed
            fresh[i] = holder.IsNull || holder == events[i].Claim;
        }
        return fresh;
    }

    public async Task ReleaseAsync(IEnumerable<(string EventId, string Claim)> events, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var db = redis.GetDatabase();
        await Task.WhenAll(events.Select(e => db.ScriptEvaluateAsync(ReleaseScript, new { key = (RedisKey)(KeyPrefix + e.EventId), claim = (RedisValue)e.Claim })));
    }
}
