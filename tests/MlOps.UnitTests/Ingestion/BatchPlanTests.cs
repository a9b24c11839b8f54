using MlOps.Common.Kafka;
using MlOps.Ingestion.Pipeline;

namespace MlOps.UnitTests.Ingestion;

/// <summary>
/// The pipeline's decisions once claims are known: after a partial failure only the failed writes give their claims
/// back (the acknowledged ones were confirmed), a retry does not publish again what went out, and an event held
/// elsewhere stops the whole batch.
/// </summary>
public sealed class BatchPlanTests
{
    private static ClaimRequest Claim(int index, string id, bool hold = true) => new(index, id, $"kafka:raw:0:{index}", hold);

    private static ClaimResult Result(ClaimState state, string? holder = null, TimeSpan? expiresIn = null) => new(state, holder, expiresIn);

    [Fact]
    public void After_a_partial_failure_only_the_failed_writes_release_their_claims()
    {
        var claims = new[] { Claim(0, "a"), Claim(1, "b"), Claim(2, "c"), Claim(3, "q", hold: false) };
        var plan = BatchPlan.Of(5, claims, [Result(ClaimState.Fresh), Result(ClaimState.Fresh), Result(ClaimState.Fresh), Result(ClaimState.Fresh)]);

        // Input 4 has no event id (undecodable): it is published and holds nothing; input 3 is bound for quarantine.
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(Disposition.Publish, plan[i]));
        Assert.Equal([claims[0], claims[1], claims[2]], plan.Held);
        Assert.Equal(claims[1], plan.HeldBy(1));
        Assert.Null(plan.HeldBy(3));
        Assert.Null(plan.HeldBy(4));
        // Writes 1, 3 and 4 failed: only b's claim is given back; a and c were confirmed as their writes were acked.
        Assert.Equal([claims[1]], plan.HeldBy([1, 3, 4]));
    }

    [Fact]
    public void The_retry_of_a_partly_failed_batch_publishes_only_what_is_missing_and_reports_the_rest_validated()
    {
        var claims = new[] { Claim(0, "a"), Claim(1, "b"), Claim(2, "c") };
        var plan = BatchPlan.Of(3, claims, [
            Result(ClaimState.AlreadyPublished, "published:kafka:raw:0:0"),
            Result(ClaimState.Fresh),
            Result(ClaimState.AlreadyPublished, "published:kafka:raw:0:2"),
        ]);

        Assert.Equal([Disposition.AlreadyPublished, Disposition.Publish, Disposition.AlreadyPublished], Enumerable.Range(0, 3).Select(i => plan[i]));
        Assert.Equal([claims[1]], plan.Held);
        Assert.Empty(plan.InFlight);
    }

    [Fact]
    public void An_event_pending_elsewhere_stops_the_batch_and_names_the_holder_and_its_expiry()
    {
        var claims = new[] { Claim(0, "a"), Claim(1, "b"), Claim(2, "c") };
        var plan = BatchPlan.Of(3, claims, [
            Result(ClaimState.Fresh),
            Result(ClaimState.InFlight, "pending:http:req-9:0", TimeSpan.FromSeconds(42)),
            Result(ClaimState.Duplicate, "published:http:req-8:0"),
        ]);

        var inFlight = Assert.Single(plan.InFlight);
        Assert.Equal(new InFlightEvent("b", "pending:http:req-9:0", TimeSpan.FromSeconds(42)), inFlight);
        // What the batch claimed is what it gives back before it fails.
        Assert.Equal([claims[0]], plan.Held);
        Assert.Equal(Disposition.Duplicate, plan[2]);
    }

    [Fact]
    public void Events_in_flight_are_a_transient_failure_so_a_kafka_batch_is_retried_never_dead_lettered()
    {
        var error = new EventsInFlightException([
            new InFlightEvent("b", "pending:http:req-9:0", TimeSpan.FromSeconds(42)),
            new InFlightEvent("d", "pending:kafka:raw:1:7", TimeSpan.FromSeconds(7)),
        ]);

        Assert.True(TransientErrors.IsTransient(error));
        Assert.Equal(TimeSpan.FromSeconds(42), error.LongestWait);
        Assert.Contains("b (held by pending:http:req-9:0)", error.Message, StringComparison.Ordinal);
    }
}
