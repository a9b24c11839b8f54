using Confluent.Kafka;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Common.Validation;
using MlOps.Contracts;
using MlOps.Ingestion.Pipeline;

namespace MlOps.Ingestion;

/// <summary>
/// Consumes mlops.events.raw: decodes each message through the guarded Avro deserializer and hands the batch to the
/// pipeline. Undecodable input is not poison here: it is quarantined like any other bad input, with its bytes.
/// </summary>
public sealed class RawEventsHandler(IngestionPipeline pipeline, GuardedAvroDeserializer<EventEnvelope> deserializer) : IKafkaBatchHandler
{
    public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var inputs = new List<IncomingEvent>(batch.Count);
        foreach (var message in batch)
        {
            inputs.Add(await DecodeAsync(message, ct));
        }
        await pipeline.ProcessAsync(inputs, ct);
        return [];
    }

    private async Task<IncomingEvent> DecodeAsync(ConsumeResult<byte[]?, byte[]?> message, CancellationToken ct)
    {
        var source = EventSource.Kafka(message.Topic, message.Partition.Value, message.Offset.Value);
        var raw = message.Message.Value ?? [];
        var trace = LineageHeaders.Get(message.Message.Headers, LineageHeaders.TraceParent);
        try
        {
            var envelope = await deserializer.DeserializeAsync(raw, message.Topic, ct);
            return IncomingEvent.Decoded(source, message.Message.Key, raw, envelope, trace);
        }
        catch (AvroPayloadRejectedException ex)
        {
            var rule = ex.Kind switch
            {
                AvroRejection.UnknownSchema => RuleCodes.UnknownSchemaId,
                AvroRejection.Oversize => RuleCodes.OversizePayload,
                _ => RuleCodes.Undecodable,
            };
            return IncomingEvent.Undecodable(source, message.Message.Key, raw, new RuleViolation(rule, null, ex.Reason, null), trace);
        }
    }
}
