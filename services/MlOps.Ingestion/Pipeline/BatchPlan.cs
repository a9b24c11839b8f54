namespace MlOps.Ingestion.Pipeline;

/// <summary>One input's part in dedupe: its event id, its source claim, and whether it takes the id (<c>Hold</c>).</summary>
public sealed record ClaimRequest(int Index, string EventId, string Claim, bool Hold);

/// <summary>An event another input is accepting right now: who holds it and for how long at most.</summary>
public sealed record InFlightEvent(string EventId, string Holder, TimeSpan? ExpiresIn);

/// <summary>What becomes of one input once its claim is known.</summary>
public enum Disposition
{
    /// <summary>Publish its output (validated or quarantined).</summary>
    Publish,

    /// <summary>Its validated output is already durable from an earlier attempt: report it validated, publish nothing.</summary>
    AlreadyPublished,

    /// <summary>Report it as a duplicate, publish nothing.</summary>
    Duplicate,
}

/// <summary>
/// A batch's dedupe verdicts, and which pending claims the batch holds: those are confirmed once their outputs are
/// acknowledged and released when an output could not be written, so after a partial failure the retry publishes
/// only what is missing. Pure: the pipeline does the I/O it decides.
/// </summary>
public sealed class BatchPlan
{
    private readonly Disposition[] _dispositions;
    private readonly ClaimRequest?[] _held;

    private BatchPlan(Disposition[] dispositions, ClaimRequest?[] held, IReadOnlyList<InFlightEvent> inFlight)
    {
        _dispositions = dispositions;
        _held = held;
        InFlight = inFlight;
    }

    /// <summary>
    /// Events held by other inputs that have not published them: when there are any, the batch publishes nothing
    /// and must come again later (see <see cref="EventsInFlightException"/>).
    /// </summary>
    public IReadOnlyList<InFlightEvent> InFlight { get; }

    public Disposition this[int input] => _dispositions[input];

    /// <summary>Every pending claim this batch holds.</summary>
    public IEnumerable<ClaimRequest> Held => _held.OfType<ClaimRequest>();

    /// <summary>The pending claim <paramref name="input"/> holds, if it holds one: to confirm once its output is durable.</summary>
    public ClaimRequest? HeldBy(int input) => _held[input];

    /// <summary>
    /// The pending claims <paramref name="inputs"/> hold: of those whose output was acknowledged, to confirm; of those
    /// whose output could not be written, to release, so their retry goes through.
    /// </summary>
    public IEnumerable<ClaimRequest> HeldBy(IEnumerable<int> inputs) => inputs.Select(i => _held[i]).OfType<ClaimRequest>();

    /// <summary>
    /// The plan for <paramref name="inputCount"/> inputs from the claims some of them made (inputs without an event
    /// id make none and are published) and the claims' results, in the same order.
    /// </summary>
    public static BatchPlan Of(int inputCount, IReadOnlyList<ClaimRequest> claims, IReadOnlyList<ClaimResult> results)
    {
        var dispositions = new Disposition[inputCount];
        var held = new ClaimRequest?[inputCount];
        var inFlight = new List<InFlightEvent>();
        for (var i = 0; i < claims.Count; i++)
        {
            var (claim, result) = (claims[i], results[i]);
            dispositions[claim.Index] = result.State switch
            {
                ClaimState.AlreadyPublished => Disposition.AlreadyPublished,
                ClaimState.Duplicate => Disposition.Duplicate,
                _ => Disposition.Publish,
            };
            if (claim.Hold && result.State == ClaimState.Fresh)
            {
                held[claim.Index] = claim;
            }
            else if (result.State == ClaimState.InFlight)
            {
                inFlight.Add(new InFlightEvent(claim.EventId, result.Holder!, result.HolderExpiresIn));
            }
        }
        return new BatchPlan(dispositions, held, inFlight);
    }
}
