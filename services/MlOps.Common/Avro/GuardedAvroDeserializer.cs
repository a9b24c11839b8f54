using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace MlOps.Common.Avro;

/// <summary>
/// Confluent's <see cref="AvroDeserializer{T}"/> behind a guard: the Confluent header, the size and every
/// declared length, count, index and depth are checked against <see cref="AvroLimits"/> and the writer
/// schema before the inner deserializer is allowed to allocate anything.
/// <typeparamref name="T"/> is <c>Avro.Generic.GenericRecord</c> or an <c>ISpecificRecord</c> type.
/// Every problem with the bytes themselves throws <see cref="AvroPayloadRejectedException"/>, whatever Apache.Avro
/// threw for it; only registry and transport failures, which say nothing about the bytes, propagate as they are.
/// </summary>
public sealed class GuardedAvroDeserializer<T> : IAsyncDeserializer<T>
{
    private const int HeaderBytes = 5;
    private const byte MagicByte = 0;

    private readonly AvroDeserializer<T> _inner;
    private readonly AvroWriterSchemaCache _writerSchemas;
    private readonly AvroLimits _limits;

    // Specific records are decoded here (writer schema from the registry, reader schema T's own): Confluent's
    // per-message wrapper (subject lookups, schema-keyed caches, rule hooks) cost ~8 µs per message, several times
    // the decoding itself. The reader is Avro's pre-resolving SpecificDatumReader, built once per writer schema:
    // the SpecificReader Confluent uses resolves the schemas again on every record and builds each map's type by
    // reflection (an EventEnvelope: 3.1 vs 2.0 µs, 2.3 vs 1.8 KB). Null when T is not specific or when the
    // caller's config asks for something only Confluent's deserializer does (latest-version reading).
    private readonly global::Avro.Schema? _specificReaderSchema;
    private readonly ConcurrentDictionary<int, DatumReader<T>> _specificReaders = new();

    public GuardedAvroDeserializer(
        ISchemaRegistryClient registry, AvroLimits limits, IEnumerable<KeyValuePair<string, string>>? innerConfig = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits.Validated();
        _writerSchemas = new AvroWriterSchemaCache(registry);
        var config = WithTopicSubjectsByDefault(innerConfig);
        _inner = new AvroDeserializer<T>(registry, config);
        if (typeof(ISpecificRecord).IsAssignableFrom(typeof(T)) && config.UseLatestVersion != true && config.UseLatestWithMetadata is null)
        {
            _specificReaderSchema = ((ISpecificRecord)Activator.CreateInstance<T>()!).Schema;
        }
    }

    /// <summary>
    /// For handlers that consume raw <c>byte[]</c> and decode themselves, so a poison message never throws
    /// inside <c>Consume()</c> and its bytes are still at hand for the DLQ.
    /// </summary>
    public ValueTask<T> DeserializeAsync(ReadOnlyMemory<byte> data, string topic, CancellationToken ct) =>
        DeserializeCoreAsync(data, isNull: false, new SerializationContext(MessageComponentType.Value, topic), ct);

    /// <summary>
    /// Decodes a consumed record's value for a batch handler: undecodable bytes are added to <paramref name="poison"/>
    /// with the reason (the worker dead-letters them) and the result is null.
    /// </summary>
    public async ValueTask<T?> DecodeOrPoisonAsync(ConsumeResult<byte[]?, byte[]?> message, List<MlOps.Common.Kafka.PoisonMessage> poison, CancellationToken ct)
    {
        try
        {
            return await DeserializeAsync(message.Message.Value ?? [], message.Topic, ct);
        }
        catch (AvroPayloadRejectedException ex)
        {
            poison.Add(new MlOps.Common.Kafka.PoisonMessage(message, ex.Reason, ex));
            return default;
        }
    }

    /// <inheritdoc />
    /// <remarks>Kafka's deserializer pipeline offers no cancellation token.</remarks>
    public Task<T> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context) =>
        DeserializeCoreAsync(data, isNull, context, CancellationToken.None).AsTask();

    private async ValueTask<T> DeserializeCoreAsync(
        ReadOnlyMemory<byte> data, bool isNull, SerializationContext context, CancellationToken ct)
    {
        var schemaId = ReadHeader(data, isNull);
        var writerSchema = await _writerSchemas.GetAsync(schemaId, ct).ConfigureAwait(false);
        var verdict = AvroPayloadGuard.Check(data.Span[HeaderBytes..], writerSchema, _limits);
        if (!verdict.IsValid)
        {
            throw new AvroPayloadRejectedException(verdict.Reason, schemaId);
        }
        try
        {
            if (_specificReaderSchema is not null)
            {
                return ReadSpecific(schemaId, writerSchema, data[HeaderBytes..]);
            }
            return await _inner.DeserializeAsync(data, isNull: false, context).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsPayloadFault(e))
        {
            // The guard checks structure and date ranges, not everything (reader/writer resolution, a uuid that does
            // not parse, a reader's timestamp over a writer's plain long): still the message's fault, so still rejected.
            var cause = e is global::Avro.AvroException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            throw new AvroPayloadRejectedException($"decoder rejected the payload: {cause}", schemaId, e);
        }
    }

    /// <summary>
    /// Whether a failure while decoding is the payload's. The writer schema is already in hand, so only Confluent's
    /// generic path still talks to the registry: its outages, timeouts and cancellation are not the message's fault
    /// and must reach the caller's retry; anything else Apache.Avro throws (AvroException, or a .NET conversion's
    /// ArgumentOutOfRangeException, FormatException, OverflowException...) is about these bytes.
    /// </summary>
    private static bool IsPayloadFault(Exception e) =>
        e is not (OperationCanceledException or SchemaRegistryException or HttpRequestException or TimeoutException or OutOfMemoryException);

    private T ReadSpecific(int schemaId, global::Avro.Schema writerSchema, ReadOnlyMemory<byte> body)
    {
        // The writer schema cache only holds ids the registry knows, so this dictionary is bounded the same way.
        var reader = _specificReaders.GetOrAdd(schemaId, _ => new SpecificDatumReader<T>(writerSchema, _specificReaderSchema!));
        using var stream = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        // As Confluent does: a fresh T to read into, so the record is built as T whatever the writer schema's name.
        return reader.Read(Activator.CreateInstance<T>(), new BinaryDecoder(stream));
    }

    // Confluent 2.16 defaults to the Associated strategy: an associations-API call per message that our
    // registry need not serve, and decoding only needs the schema id. Callers can still choose another.
    private static AvroDeserializerConfig WithTopicSubjectsByDefault(IEnumerable<KeyValuePair<string, string>>? innerConfig)
    {
        var config = new AvroDeserializerConfig(innerConfig ?? []);
        config.SubjectNameStrategy ??= SubjectNameStrategy.Topic;
        return config;
    }

    private int ReadHeader(ReadOnlyMemory<byte> data, bool isNull)
    {
        if (isNull || data.IsEmpty)
        {
            throw new AvroPayloadRejectedException("payload is null or empty");
        }
        if (data.Length > HeaderBytes + _limits.MaxPayloadBytes)
        {
            throw new AvroPayloadRejectedException(
                $"payload of {data.Length} bytes exceeds {HeaderBytes} header bytes + MaxPayloadBytes {_limits.MaxPayloadBytes}",
                kind: AvroRejection.Oversize);
        }
        var span = data.Span;
        if (span[0] != MagicByte)
        {
            throw new AvroPayloadRejectedException($"magic byte is {span[0]}, expected {MagicByte}");
        }
        if (span.Length < HeaderBytes)
        {
            throw new AvroPayloadRejectedException($"payload of {span.Length} bytes is shorter than the {HeaderBytes}-byte Confluent header");
        }
        var schemaId = BinaryPrimitives.ReadInt32BigEndian(span[1..HeaderBytes]);
        return schemaId >= 0 ? schemaId : throw new AvroPayloadRejectedException($"schema id {schemaId} is negative", schemaId);
    }
}
