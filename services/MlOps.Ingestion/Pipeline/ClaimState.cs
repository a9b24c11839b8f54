namespace MlOps.Ingestion.Pipeline;

/// <summary>What an input may do with its event id, given who holds the id in Redis.</summary>
public enum ClaimState
{
    /// <summary>Nobody holds the id, or we do and have not published it yet (our own replay): publish.</summary>
    Fresh,

    /// <summary>We hold the id and our output is durable (a replay of a batch that got that far): do not publish again.</summary>
    AlreadyPublished,

    /// <summary>Another input published the id, or an earlier input of this batch holds it.</summary>
    Duplicate,

    /// <summary>Another input holds the id and has not published it yet: wait for its outcome, publish nothing now.</summary>
    InFlight,
}

/// <summary>
/// The values a dedupe key holds and what they mean for an input. A claim is <c>pending:&lt;source claim&gt;</c> from
/// the moment it is taken until the output is acknowledged by Kafka, then <c>published:&lt;source claim&gt;</c> for
/// the dedupe horizon. Only a published claim makes another input a duplicate: an id whose first attempt died before
/// publishing must not be turned away for the whole horizon, it is only held until the pending claim expires.
/// </summary>
public static class ClaimValues
{
    public const string PendingPrefix = "pending:";
    public const string PublishedPrefix = "published:";

    public static string Pending(string claim) => PendingPrefix + claim;

    public static string Published(string claim) => PublishedPrefix + claim;

    /// <summary>
    /// The state of the input whose source claim is <paramref name="claim"/> given the key's previous value
    /// <paramref name="holder"/> (null: absent). <paramref name="batchClaims"/> are the claims of the inputs of the
    /// same batch: one of them holding the id makes a later copy a duplicate, not an event in flight elsewhere.
    /// An input that does not <paramref name="hold"/> the id (bound for quarantine) only looks: its own claim of any
    /// state lets it through, and another input's pending claim makes it wait like any other copy (calling it a
    /// duplicate would lose it, never quarantined, should that attempt fail).
    /// </summary>
    public static ClaimState Classify(string? holder, string claim, bool hold, IReadOnlySet<string> batchClaims)
    {
        if (holder is null)
        {
            return ClaimState.Fresh;
        }
        var (owner, state) = Parse(holder);
        return (owner == claim, state) switch
        {
            (true, HolderState.Published) when hold => ClaimState.AlreadyPublished,
            (true, _) => ClaimState.Fresh,
            (false, HolderState.Pending) when !batchClaims.Contains(owner) => ClaimState.InFlight,
            _ => ClaimState.Duplicate,
        };
    }

    private enum HolderState
    {
        Pending,
        Published,
        Unstated,
    }

    /// <summary>
    /// The source claim a value names and its state. A bare claim was written before claims had states (it lives for
    /// one horizon after the upgrade): another input's makes a duplicate, as it did then, and our own is published
    /// again, as it was then (at least once, never lost).
    /// </summary>
    private static (string Owner, HolderState State) Parse(string holder)
    {
        if (holder.StartsWith(PendingPrefix, StringComparison.Ordinal))
        {
            return (holder[PendingPrefix.Length..], HolderState.Pending);
        }
        if (holder.StartsWith(PublishedPrefix, StringComparison.Ordinal))
        {
            return (holder[PublishedPrefix.Length..], HolderState.Published);
        }
        return (holder, HolderState.Unstated);
    }
}
