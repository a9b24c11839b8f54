using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Contracts;
using MlOps.Ingestion.Quality;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// The one path every input takes, from Kafka or HTTP: validate against the data contract, dedupe, publish to
/// events.validated or events.quarantine, count. Only validated events hold their event id against later copies. Completes only when every output is durable in Kafka, so callers
/// may then commit offsets or answer 202. For every input exactly one outcome: validated, quarantined or duplicate.
/// </summary>
/// <remarks>
/// An event id is claimed as pending and confirmed as published as soon as its own output is acknowledged (see
/// <see cref="EventDeduplicator"/>), so a batch whose writes fail in part is retried without publishing again what
/// already went out: the retry finds those claims published by itself. An id another input holds as pending is
/// neither published nor called a duplicate: the batch fails with <see cref="EventsInFlightException"/> and comes again.
/// </remarks>
public sealed partial class IngestionPipeline(
    SpecProvider specs,
    EventDeduplicator deduplicator,
    AvroPublisher publisher,
    DataQualityMonitor quality,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<IngestionPipeline> logger)
{
    public async Task<IReadOnlyList<IngestionOutcome>> ProcessAsync(IReadOnlyList<IncomingEvent> inputs, CancellationToken ct)
    {
        var spec = specs.Current;
        var now = clock.GetUtcNow().UtcDateTime;
        // Validation comes first: it decides which inputs hold their event id (only those bound for events.validated).
        var verdicts = new Verdict[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            verdicts[i] = Judge(inputs[i], spec, now);
        }
        var claims = ClaimsOf(inputs, verdicts);
        // The dedupe round trip to Redis is in flight while every output is encoded: neither needs the other. Nothing
        // is counted or published before the verdict; a duplicate's prepared output is dropped.
        var claiming = deduplicator.ClaimAsync(claims, options.Value.ClaimPendingTtl, ct);
        var prepared = new PreparedOutput[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                prepared[i] = await PrepareAsync(inputs[i], verdicts[i], spec, now);
            }
        }
        catch
        {
            // Nothing was published: give back whatever this batch claimed, so its retry is not held up.
            await ReleaseOwnClaimsAsync(inputs.Count, claiming, claims);
            throw;
        }
        var plan = BatchPlan.Of(inputs.Count, claims, await claiming);
        if (plan.InFlight.Count > 0)
        {
            // Publishing the rest would split the batch's fate; the whole of it comes again once the holders settle.
            await ReleaseQuietlyAsync(plan.Held);
            IngestionMetrics.InFlight.WithLabels(inputs[0].Source.Kind).Inc(plan.InFlight.Count);
            throw new EventsInFlightException(plan.InFlight);
        }

        var outcomes = new IngestionOutcome[inputs.Count];
        var writes = new List<(int Input, Task Write)>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (plan[i] == Disposition.Duplicate)
            {
                outcomes[i] = new IngestionOutcome(inputs[i].Envelope!.event_id, Outcome.Duplicate, []);
                continue;
            }
            // Already published by an earlier attempt at this same input: validated, as it was then.
            if (plan[i] == Disposition.Publish)
            {
                var output = prepared[i];
                // Not cancellable: librdkafka delivers a queued message whether or not anyone waits, so a write given up
                // on would release a claim whose event still lands (and its retry would publish it twice). The
                // producer's message timeout bounds the wait.
                writes.Add((i, publisher.ProduceAsync(output.Topic, output.Key, output.Value, output.Headers, CancellationToken.None)));
            }
            outcomes[i] = prepared[i].Outcome;
        }
        if (writes.Count > 0)
        {
            // The whole batch is queued and will be waited for: lingering for more records would only add latency.
            publisher.SendNow();
        }
        try
        {
            await Task.WhenAll(writes.Select(w => w.Write));
        }
        catch
        {
            // The inputs whose writes failed will come again (an HTTP retry, a Kafka redelivery): free their claims so
            // they are not held up.
            await ReleaseQuietlyAsync(plan.HeldBy(writes.Where(w => !w.Write.IsCompletedSuccessfully).Select(w => w.Input)));
            throw;
        }
        finally
        {
            // Whatever else failed, the acknowledged ones are published: confirmed, a retry does not publish them again.
            await ConfirmQuietlyAsync(plan.HeldBy(writes.Where(w => w.Write.IsCompletedSuccessfully).Select(w => w.Input)));
        }
        // Counted only now: a batch whose writes fail is retried, and counting before the acks counted it twice. Its
        // retry counts the inputs published before the failure as validated (AlreadyPublished), so each counts once.
        for (var i = 0; i < inputs.Count; i++)
        {
            IngestionMetrics.Observe(inputs[i], spec, outcomes[i].Outcome, outcomes[i].Reasons, now);
        }
        await ObserveQualityAsync(spec, inputs, outcomes, ct);
        return outcomes;
    }

    /// <summary>Checks an input against its data contract: no violations and a contract means it will be validated.</summary>
    private static Verdict Judge(IncomingEvent input, PlatformSpec spec, DateTime now)
    {
        if (input.Envelope is not { } envelope)
        {
            return new Verdict([input.DecodeFailure!], null);
        }
        var violations = EventValidator.Validate(EventCandidate.Of(envelope, input.RawValue.Length), spec, now);
        return new Verdict(violations, spec.Contracts.GetValueOrDefault(envelope.event_type ?? ""));
    }

    /// <summary>The output an input gets unless it turns out to be a duplicate: validated, or quarantined with reasons.</summary>
    private async ValueTask<PreparedOutput> PrepareAsync(IncomingEvent input, Verdict verdict, PlatformSpec spec, DateTime now)
    {
        if (!verdict.IsValid)
        {
            return await QuarantineAsync(input, verdict.Violations, verdict.Contract?.Version, spec, now);
        }
        var envelope = input.Envelope!;
        var validated = IngestionRecords.Validated(envelope, verdict.Contract!, spec, now);
        var headers = Headers(input, spec);
        var value = await publisher.SerializeAsync(TopicCatalog.EventsValidated, validated, headers);
        return new PreparedOutput(new IngestionOutcome(envelope.event_id, Outcome.Validated, []), TopicCatalog.EventsValidated, envelope.entity_id, value, headers);
    }

    private async ValueTask<PreparedOutput> QuarantineAsync(
        IncomingEvent input, IReadOnlyList<RuleViolation> reasons, string? contractVersion, PlatformSpec spec, DateTime now)
    {
        var record = IngestionRecords.Quarantined(input, reasons, contractVersion, spec, now);
        var headers = Headers(input, spec);
        var value = await publisher.SerializeAsync(TopicCatalog.EventsQuarantine, record, headers);
        return new PreparedOutput(new IngestionOutcome(record.event_id, Outcome.Quarantined, reasons), TopicCatalog.EventsQuarantine, record.event_id, value, headers);
    }

    private readonly record struct Verdict(IReadOnlyList<RuleViolation> Violations, DataContract? Contract)
    {
        public bool IsValid => Violations.Count == 0 && Contract is not null;
    }

    private sealed record PreparedOutput(IngestionOutcome Outcome, string Topic, string? Key, byte[] Value, Confluent.Kafka.Headers Headers);

    private static Confluent.Kafka.Headers Headers(IncomingEvent input, PlatformSpec spec) => LineageHeaders.Create(
        input.Source.Topic ?? input.Source.Kind, input.Source.Partition, input.Source.Offset, spec.VersionTag, null, input.TraceParent);

    /// <summary>
    /// Inputs that carry an event id take part in dedupe; undecodable ones cannot. Only an input bound for
    /// events.validated holds its id (<c>Hold</c>): a quarantined one is only checked, so the producer's corrected
    /// re-send, or a replay of the quarantine after a spec fix, under the same id still goes through.
    /// </summary>
    private static List<ClaimRequest> ClaimsOf(IReadOnlyList<IncomingEvent> inputs, Verdict[] verdicts)
    {
        var claims = new List<ClaimRequest>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Envelope?.event_id is { Length: > 0 } eventId)
            {
                claims.Add(new ClaimRequest(i, eventId, inputs[i].Source.Claim(i), verdicts[i].IsValid));
            }
        }
        return claims;
    }
}
