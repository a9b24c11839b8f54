using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Contracts;
using MlOps.Ingestion.Quality;

namespace MlOps.Ingestion.Pipeline;

/// <summary>
/// The one path every input takes, from Kafka or HTTP: dedupe, validate against the data contract, publish to
/// events.validated or events.quarantine, count. Completes only when every output is durable in Kafka, so callers
/// may then commit offsets or answer 202. For every input exactly one outcome: validated, quarantined or duplicate.
/// </summary>
public sealed class IngestionPipeline(
    SpecProvider specs,
    EventDeduplicator deduplicator,
    AvroPublisher publisher,
    DataQualityMonitor quality,
    IOptions<IngestionOptions> options,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<IngestionOutcome>> ProcessAsync(IReadOnlyList<IncomingEvent> inputs, CancellationToken ct)
    {
        var spec = specs.Current;
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = ClaimsOf(inputs);
        // The dedupe round trip to Redis is in flight while every output is validated and encoded: neither needs
        // the other. Nothing is counted or published before the verdict; a duplicate's prepared output is dropped.
        var claiming = deduplicator.ClaimAsync(claims.Select(c => (c.EventId, c.Claim)).ToList(), options.Value.DedupeHorizon, ct);
        var prepared = new PreparedOutput[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                prepared[i] = await PrepareAsync(inputs[i], spec, now);
            }
        }
        catch
        {
            // Nothing was published: give back whatever this batch claimed, so its retry is not taken for a duplicate.
            await ReleaseOwnClaimsAsync(claiming, claims);
            throw;
        }
        var fresh = await claiming;
        var isDuplicate = new bool[inputs.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            isDuplicate[claims[i].Index] = !fresh[i];
        }

        var outcomes = new IngestionOutcome[inputs.Count];
        var writes = new List<Task>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (isDuplicate[i])
            {
                outcomes[i] = new IngestionOutcome(input.Envelope!.event_id, Outcome.Duplicate, []);
                IngestionMetrics.Observe(input, spec, Outcome.Duplicate, [], now);
                continue;
            }
            var output = prepared[i];
            IngestionMetrics.Observe(input, spec, output.Outcome.Outcome, output.Outcome.Reasons, now);
            writes.Add(publisher.ProduceAsync(output.Topic, output.Key, output.Value, output.Headers, ct));
            outcomes[i] = output.Outcome;
        }
        if (writes.Count > 0)
        {
            // The whole batch is queued and will be waited for: lingering for more records would only add latency.
            publisher.SendNow();
        }
        try
        {
            await Task.WhenAll(writes);
        }
        catch
        {
            // The input will come again (an HTTP retry, a Kafka redelivery): free the claims so it is not taken for
            // a duplicate. Should this fail too, a Kafka replay still recognises its own claim.
            await deduplicator.ReleaseAsync(claims.Where(c => !isDuplicate[c.Index]).Select(c => (c.EventId, c.Claim)), CancellationToken.None);
            throw;
        }
        await quality.ObserveAsync(spec, inputs, outcomes, ct);
        return outcomes;
    }

    /// <summary>The output an input gets unless it turns out to be a duplicate: validated, or quarantined with reasons.</summary>
    private async ValueTask<PreparedOutput> PrepareAsync(IncomingEvent input, PlatformSpec spec, DateTime now)
    {
        if (input.Envelope is not { } envelope)
        {
            RuleViolation[] reasons = [input.DecodeFailure!];
            return await QuarantineAsync(input, reasons, null, spec, now);
        }
        var violations = EventValidator.Validate(IngestionRecords.ToCandidate(envelope, input.RawValue.Length), spec, now);
        var contract = spec.Contracts.GetValueOrDefault(envelope.event_type ?? "");
        if (violations.Count > 0 || contract is null)
        {
            return await QuarantineAsync(input, violations, contract?.Version, spec, now);
        }
        var validated = IngestionRecords.Validated(envelope, contract, spec, now);
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

    private async Task ReleaseOwnClaimsAsync(Task<bool[]> claiming, List<(int Index, string EventId, string Claim)> claims)
    {
        bool[] fresh;
        try
        {
            fresh = await claiming;
        }
        catch
        {
            return; // the claims failed as well: the caller's error is the one to report
        }
        await deduplicator.ReleaseAsync(claims.Where((_, i) => fresh[i]).Select(c => (c.EventId, c.Claim)), CancellationToken.None);
    }

    private sealed record PreparedOutput(IngestionOutcome Outcome, string Topic, string? Key, byte[] Value, Confluent.Kafka.Headers Headers);

    private static Confluent.Kafka.Headers Headers(IncomingEvent input, PlatformSpec spec) => LineageHeaders.Create(
        input.Source.Topic ?? input.Source.Kind, input.Source.Partition, input.Source.Offset, spec.VersionTag, null, input.TraceParent);

    /// <summary>Inputs that carry an event id take part in dedupe; undecodable ones cannot.</summary>
    private static List<(int Index, string EventId, string Claim)> ClaimsOf(IReadOnlyList<IncomingEvent> inputs)
    {
        var claims = new List<(int, string, string)>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Envelope?.event_id is { Length: > 0 } eventId)
            {
                claims.Add((i, eventId, inputs[i].Source.Claim(i)));
            }
        }
        return claims;
    }
}
