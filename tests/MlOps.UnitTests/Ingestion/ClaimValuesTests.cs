using MlOps.Ingestion.Pipeline;

namespace MlOps.UnitTests.Ingestion;

/// <summary>
/// What a dedupe key's previous value means for an input: only a published claim makes a duplicate, a pending one
/// elsewhere makes the event wait, and our own claim is published again only if it never was.
/// </summary>
public sealed class ClaimValuesTests
{
    private const string Mine = "kafka:mlops.events.raw:2:41";
    private const string Theirs = "http:req-1:0";
    private static readonly IReadOnlySet<string> Batch = new HashSet<string> { Mine };

    [Theory]
    [InlineData(null, ClaimState.Fresh)]
    [InlineData("pending:" + Mine, ClaimState.Fresh)]
    [InlineData("published:" + Mine, ClaimState.AlreadyPublished)]
    [InlineData("published:" + Theirs, ClaimState.Duplicate)]
    [InlineData("pending:" + Theirs, ClaimState.InFlight)]
    // Written before claims had states: another's was a duplicate then and stays one; ours was published again then.
    [InlineData(Theirs, ClaimState.Duplicate)]
    [InlineData(Mine, ClaimState.Fresh)]
    public void An_input_that_holds_its_id_is_classified_by_the_holder_and_its_state(string? holder, ClaimState expected)
    {
        Assert.Equal(expected, ClaimValues.Classify(holder, Mine, hold: true, Batch));
    }

    [Fact]
    public void A_pending_claim_of_an_earlier_input_of_the_same_batch_makes_a_duplicate_not_an_event_in_flight()
    {
        const string earlier = "kafka:mlops.events.raw:2:40";
        var batch = new HashSet<string> { earlier, Mine };

        Assert.Equal(ClaimState.Duplicate, ClaimValues.Classify("pending:" + earlier, Mine, hold: true, batch));
    }

    [Theory]
    [InlineData(null, ClaimState.Fresh)]
    [InlineData("pending:" + Mine, ClaimState.Fresh)]
    [InlineData("published:" + Mine, ClaimState.Fresh)]
    [InlineData("pending:" + Theirs, ClaimState.InFlight)] // that attempt may yet fail: this copy waits, it is not lost
    [InlineData("published:" + Theirs, ClaimState.Duplicate)]
    public void An_input_bound_for_quarantine_only_looks_and_waits_on_another_inputs_pending_claim(string? holder, ClaimState expected)
    {
        Assert.Equal(expected, ClaimValues.Classify(holder, Mine, hold: false, Batch));
    }

    [Fact]
    public void Claim_values_name_their_state_and_the_source_claim()
    {
        Assert.Equal("pending:" + Theirs, ClaimValues.Pending(Theirs));
        Assert.Equal("published:" + Theirs, ClaimValues.Published(Theirs));
    }
}
