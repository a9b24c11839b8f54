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

    // One call per batch, not per event: a script call per event cost the service half its throughput. Entries are
    // taken in order, so within a batch an entry sees the claims of the entries before it. ARGV: the pending TTL, then
    // per key its hold flag, its pending value and its bare claim. An entry that holds takes the id when nobody holds
    // it, and takes it again (with a fresh TTL) when the holder is this very input, pending or written before claims
    // had states: a replay that retries for longer than the TTL keeps its claim. Per key the reply is the previous
    // value (nil: none) and, when the id was not taken, how long its holder's claim lives (PTTL).
    // The common case, a new id, is one SET NX GET.
    private const string ClaimScript = """
        local out = {}
        for i, key in ipairs(KEYS) do
          local a = (i - 1) * 3 + 2
          local v
          if ARGV[a] == '1' then
            v = redis.call('SET', key, ARGV[a + 1], 'NX', 'GET', 'PX', ARGV[1])
            if v and (v == ARGV[a + 1] or v == ARGV[a + 2]) then
              redis.call('SET', key, ARGV[a + 1], 'PX', ARGV[1])
            end
          else
            v = redis.call('GET', key)
          end
          out[2 * i - 1] = v
          if ARGV[a] == '1' and (not v or v == ARGV[a + 1] or v == ARGV[a + 2]) then
            out[2 * i] = -2
          else
            out[2 * i] = redis.call('PTTL', key)
          end
        end
        return out
        """;

    // Publishes only claims that are still our pending ones: an expired claim may be someone else's by now. ARGV: the
    // horizon, then per key its pending and its published value. Per key: 1 confirmed, 0 not.
    private const string ConfirmScript = """
        local out = {}
        for i, key in ipairs(KEYS) do
          if redis.call('GET', key) == ARGV[2 * i] then
            redis.call('SET', key, ARGV[2 * i + 1], 'PX', ARGV[1])
            out[i] = 1
          else
            out[i] = 0
          end
        end
        return out
        """;

    // Deletes claims only while they are still our pending ones, so the inputs can be retried; a published one stays.
    private const string ReleaseScript = """
        local n = 0
        for i, key in ipairs(KEYS) do
          if redis.call('GET', key) == ARGV[i] then n = n + redis.call('DEL', key) end
        end
        return n
        """;

    /// <summary>
    /// For each request, the id's previous holder and what that means (<see cref="ClaimValues.Classify"/>).
    /// Only entries with <c>Hold</c> take the id (as pending, for <paramref name="pendingTtl"/>); the others are
    /// checked against it. Within a batch an entry sees the claims of the entries before it.
    /// </summary>
    public async Task<ClaimResult[]> ClaimAsync(IReadOnlyList<ClaimRequest> events, TimeSpan pendingTtl, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (events.Count == 0)
        {
            return [];
        }
        var values = new RedisValue[1 + events.Count * 3];
        values[0] = (long)pendingTtl.TotalMilliseconds;
        for (var i = 0; i < events.Count; i++)
        {
            values[1 + i * 3] = events[i].Hold ? "1" : "0";
            values[2 + i * 3] = ClaimValues.Pending(events[i].Claim);
            values[3 + i * 3] = events[i].Claim;
        }
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, Keys(events), values))!;
        var batchClaims = events.Select(e => e.Claim).ToHashSet(StringComparer.Ordinal);
        var results = new ClaimResult[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var holder = reply[2 * i].IsNull ? null : (string?)reply[2 * i];
            var pttl = (long)reply[2 * i + 1];
            results[i] = new ClaimResult(
                ClaimValues.Classify(holder, events[i].Claim, events[i].Hold, batchClaims),
                holder,
                pttl > 0 ? TimeSpan.FromMilliseconds(pttl) : null);
        }
        return results;
    }

    /// <summary>
    /// Marks our pending claims published for <paramref name="horizon"/>, once their events' outputs are durable. The
    /// ids not confirmed are those whose claim was no longer ours (it expired): their outputs are durable all the same,
    /// only unguarded.
    /// </summary>
    public async Task<IReadOnlyList<string>> ConfirmAsync(IReadOnlyList<ClaimRequest> claims, TimeSpan horizon, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (claims.Count == 0)
        {
            return [];
        }
        var values = new RedisValue[1 + claims.Count * 2];
        values[0] = (long)horizon.TotalMilliseconds;
        for (var i = 0; i < claims.Count; i++)
        {
            values[1 + i * 2] = ClaimValues.Pending(claims[i].Claim);
            values[2 + i * 2] = ClaimValues.Published(claims[i].Claim);
        }
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ConfirmScript, Keys(claims), values))!;
        return claims.Where((_, i) => (long)reply[i] != 1).Select(c => c.EventId).ToList();
    }

    /// <summary>Gives back pending claims whose event was not published, so a retry of the input is not held up.</summary>
    public async Task ReleaseAsync(IReadOnlyList<ClaimRequest> claims, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (claims.Count == 0)
        {
            return;
        }
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, Keys(claims),
            claims.Select(c => (RedisValue)ClaimValues.Pending(c.Claim)).ToArray());
    }

    private static RedisKey[] Keys(IReadOnlyList<ClaimRequest> claims) => claims.Select(c => Key(c.EventId)).ToArray();

    private static RedisKey Key(string eventId) => KeyPrefix + eventId;
}

/// <summary>An input's claim: its state, the value that was there before (null: none) and how long that value lives.</summary>
public sealed record ClaimResult(ClaimState State, string? Holder, TimeSpan? HolderExpiresIn);
