using StackExchange.Redis;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// Holds the ids of validated events in Redis in two steps (see <see cref="ClaimValues"/>): a claim is taken as
/// pending for <c>Ingestion:ClaimPendingTtl</c>, and confirmed as published for the dedupe horizon only once the
/// event's output is acknowledged by Kafka. The claim names the input's position, so a replay of the same Kafka offset
/// (crash, rebalance) finds its own claim: dedupe never turns at-least-once into at-most-once, and an attempt that
/// dies between claiming and publishing holds the id only until its pending claim expires, not for the horizon.
/// An event bound for quarantine only looks (<c>GET</c>): its corrected re-send is not taken for a duplicate.
/// </summary>
public sealed class EventDeduplicator(IConnectionMultiplexer redis)
{
    private const string KeyPrefix = "mlops:ingest:event:";

    // Takes the id when nobody holds it, and takes it again (with a fresh TTL) when the holder is this very input,
    // pending or written before claims had states: a replay that retries for longer than the TTL keeps its claim.
    // Returns the previous value (false: none) and, when someone else holds the id, how long their claim lives.
    private static readonly LuaScript ClaimScript = LuaScript.Prepare(
        "local v = redis.call('GET', @key) " +
        "if not v or v == @pending or v == @claim then redis.call('SET', @key, @pending, 'PX', @ttl) return {v, -2} end " +
        "return {v, redis.call('PTTL', @key)}");

    // The look of an input that holds nothing, in the claim's reply shape.
    private static readonly LuaScript LookScript = LuaScript.Prepare("return {redis.call('GET', @key), redis.call('PTTL', @key)}");

    // Publishes only a claim that is still our pending one: an expired claim may be someone else's by now.
    private static readonly LuaScript ConfirmScript = LuaScript.Prepare(
        "if redis.call('GET', @key) == @pending then redis.call('SET', @key, @published, 'PX', @horizon) return 1 end return 0");

    // Deletes a claim only if it is still our pending one, so the input can be retried; a published one stays.
    private static readonly LuaScript ReleaseScript = LuaScript.Prepare(
        "if redis.call('GET', @key) == @pending then return redis.call('DEL', @key) end return 0");

    /// <summary>
    /// For each request, the id's previous holder and what that means (<see cref="ClaimValues.Classify"/>).
    /// Only entries with <c>Hold</c> take the id (as pending, for <paramref name="pendingTtl"/>); the others are
    /// checked against it. Commands run in order on one connection, so within a batch an entry sees the claims of the
    /// entries before it.
    /// </summary>
    public async Task<ClaimResult[]> ClaimAsync(IReadOnlyList<ClaimRequest> events, TimeSpan pendingTtl, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var db = redis.GetDatabase();
        var ttl = (long)pendingTtl.TotalMilliseconds;
        var previous = events
            .Select(e => e.Hold
                ? db.ScriptEvaluateAsync(ClaimScript, new { key = Key(e.EventId), pending = (RedisValue)ClaimValues.Pending(e.Claim), claim = (RedisValue)e.Claim, ttl })
                : db.ScriptEvaluateAsync(LookScript, new { key = Key(e.EventId) }))
            .ToArray();
        await Task.WhenAll(previous);
        var batchClaims = events.Select(e => e.Claim).ToHashSet(StringComparer.Ordinal);
        var results = new ClaimResult[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var reply = (RedisResult[])(await previous[i])!; // already completed
            var holder = reply[0].IsNull ? null : (string?)reply[0];
            var pttl = (long)reply[1];
            results[i] = new ClaimResult(
                ClaimValues.Classify(holder, events[i].Claim, events[i].Hold, batchClaims),
                holder,
                pttl > 0 ? TimeSpan.FromMilliseconds(pttl) : null);
        }
        return results;
    }

    /// <summary>
    /// Marks our pending claim published for <paramref name="horizon"/>, once the event's output is durable. False
    /// when the claim was no longer ours (it expired): the output is durable all the same, only unguarded.
    /// </summary>
    public async Task<bool> ConfirmAsync(ClaimRequest claim, TimeSpan horizon, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ConfirmScript, new
        {
            key = Key(claim.EventId),
            pending = (RedisValue)ClaimValues.Pending(claim.Claim),
            published = (RedisValue)ClaimValues.Published(claim.Claim),
            horizon = (long)horizon.TotalMilliseconds,
        });
        return (long)result == 1;
    }

    /// <summary>Gives back pending claims whose event was not published, so a retry of the input is not held up.</summary>
    public async Task ReleaseAsync(IEnumerable<ClaimRequest> claims, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var db = redis.GetDatabase();
        await Task.WhenAll(claims.Select(c => db.ScriptEvaluateAsync(ReleaseScript, new { key = Key(c.EventId), pending = (RedisValue)ClaimValues.Pending(c.Claim) })));
    }

    private static RedisKey Key(string eventId) => KeyPrefix + eventId;
}

/// <summary>An input's claim: its state, the value that was there before (null: none) and how long that value lives.</summary>
public sealed record ClaimResult(ClaimState State, string? Holder, TimeSpan? HolderExpiresIn);
