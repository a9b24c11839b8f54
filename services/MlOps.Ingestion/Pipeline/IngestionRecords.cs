using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Contracts;

namespace MlOps.Ingestion.Pipeline;

/// <summary>Pure mapping between inputs and the validated / quarantined contracts.</summary>
public static class IngestionRecords
{
    /// <summary>The envelope as published on events.validated: the producer's fields and event_time untouched.</summary>
    public static EventEnvelope Validated(EventEnvelope envelope, DataContract contract, PlatformSpec spec, DateTime now) => new()
    {
        event_id = envelope.event_id,
        tenant_id = envelope.tenant_id,
        entity_id = envelope.entity_id,
        event_type = envelope.event_type,
        event_time = envelope.event_time,
        attributes = envelope.attributes,
        producer = envelope.producer,
        contract_version = contract.Version,
        spec_version = spec.VersionTag,
        ingested_at = now,
    };

    public static QuarantinedEvent Quarantined(
        IncomingEvent input, IReadOnlyList<RuleViolation> reasons, string? contractVersion, PlatformSpec spec, DateTime now) => new()
    {
        raw_key = input.RawKey,
        raw_value = input.RawValue,
        source = input.Source.Kind,
        source_topic = input.Source.Topic,
        source_partition = input.Source.Partition,
        source_offset = input.Source.Offset,
        event_id = NullIfEmpty(input.Envelope?.event_id),
        event_type = NullIfEmpty(input.Envelope?.event_type),
        tenant_id = NullIfEmpty(input.Envelope?.tenant_id),
        contract_version = contractVersion,
        spec_version = spec.VersionTag,
        reasons = reasons.Select(r => new Violation { rule = r.Rule, attribute = r.Attribute, message = r.Message, value = r.Value }).ToList(),
        quarantined_at = now,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
