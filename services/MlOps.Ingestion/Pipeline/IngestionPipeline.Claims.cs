using MlOps.Common.Spec;

namespace MlOps.Ingestion.Pipeline;

/// <summary>The pipeline's side of the two-step claim: confirm what Kafka acknowledged, release what it did not.</summary>
public sealed partial class IngestionPipeline
{
    /// <summary>
    /// Confirms the claims of the inputs Kafka acknowledged, in one Redis call once the batch's writes settled: whatever
    /// else failed, those events are known to be published. A confirm that fails does not fail the batch: the outputs
    /// are durable, and their pending claims expire by themselves (until then a copy from elsewhere waits).
    /// </summary>
    private async Task ConfirmQuietlyAsync(IEnumerable<ClaimRequest> claims)
    {
        var acked = claims.ToList();
        IReadOnlyList<string> unconfirmed;
        try
        {
            unconfirmed = await deduplicator.ConfirmAsync(acked, options.Value.DedupeHorizon, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogConfirmFailed(ex);
            unconfirmed = acked.Select(c => c.EventId).ToList();
        }
        if (unconfirmed.Count > 0)
        {
            IngestionMetrics.ConfirmFailures.Inc(unconfirmed.Count);
            LogUnconfirmed(unconfirmed.Count, string.Join(", ", unconfirmed.Take(20)));
        }
    }

    /// <summary>Releases the claims of a batch that failed before publishing anything.</summary>
    private async Task ReleaseOwnClaimsAsync(int inputCount, Task<ClaimResult[]> claiming, List<ClaimRequest> claims)
    {
        ClaimResult[] results;
        try
        {
            results = await claiming;
        }
        catch
        {
            return; // the claims failed as well: the caller's error is the one to report
        }
        await ReleaseQuietlyAsync(BatchPlan.Of(inputCount, claims, results).Held);
    }

    /// <summary>
    /// Gives back pending claims on the way out of a failure. Should Redis refuse, the claims expire by themselves
    /// (a Kafka replay recognises its own meanwhile); the failure being reported is the caller's, not this one.
    /// </summary>
    private async Task ReleaseQuietlyAsync(IEnumerable<ClaimRequest> claims)
    {
        var list = claims.ToList();
        if (list.Count == 0)
        {
            return;
        }
        try
        {
            await deduplicator.ReleaseAsync(list, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex, list.Count, options.Value.ClaimPendingTtl);
        }
    }

    /// <summary>
    /// Data-quality observation comes after the outputs are durable, so it cannot fail the batch: a retry would answer
    /// 503 "not accepted" for accepted events over HTTP, and count the inputs again over Kafka. A failure (an alert
    /// that could not be published) is logged and counted instead; the alert is lost, the events are not.
    /// </summary>
    private async Task ObserveQualityAsync(PlatformSpec spec, IReadOnlyList<IncomingEvent> inputs, IReadOnlyList<IngestionOutcome> outcomes, CancellationToken ct)
    {
        try
        {
            await quality.ObserveAsync(spec, inputs, outcomes, ct);
        }
        catch (Exception ex)
        {
            IngestionMetrics.QualityFailures.Inc();
            LogQualityFailed(ex, inputs.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Confirming published claims in Redis failed")]
    private partial void LogConfirmFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} published event(s) could not be confirmed in Redis ({EventIds}); their pending claims expire by themselves")]
    private partial void LogUnconfirmed(int count, string eventIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing {Count} claim(s) failed; they expire after Ingestion:ClaimPendingTtl ({Ttl})")]
    private partial void LogReleaseFailed(Exception error, int count, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data-quality observation of a batch of {Count} published input(s) failed; its events stay accepted")]
    private partial void LogQualityFailed(Exception error, int count);
}
