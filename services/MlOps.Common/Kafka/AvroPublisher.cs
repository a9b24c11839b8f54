using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace MlOps.Common.Kafka;

/// <summary>
/// Publishes contract records as Confluent-framed Avro (schema registered under <c>&lt;topic&gt;-value</c>) through
/// the process's one producer. Keys are plain UTF-8 strings so any tool (kcat, ksqlDB) can read and partition by them.
/// </summary>
public sealed class AvroPublisher(KafkaProducer producer, ISchemaRegistryClient registry)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly ConcurrentDictionary<(string Topic, Type Type), object> _framed = new();

    /// <summary>Encodes and produces; completes once the broker acknowledged the record.</summary>
    public async Task<DeliveryResult<byte[]?, byte[]?>> PublishAsync<T>(
        string topic, string? key, T value, Headers? headers, CancellationToken ct)
        where T : ISpecificRecord
    {
        var bytes = await SerializeAsync(topic, value, headers);
        return await ProduceAsync(topic, key, bytes, headers, ct);
    }

    /// <summary>Produces bytes from <see cref="SerializeAsync{T}"/>; completes once the broker acknowledged the record.</summary>
    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(string topic, string? key, byte[] value, Headers? headers, CancellationToken ct)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = value,
            Headers = headers ?? [],
        };
        return producer.ProduceAsync(topic, message, ct);
    }

    /// <summary>
    /// Produces records (bytes from <see cref="SerializeAsync{T}"/>) in order and completes once the broker
    /// acknowledged all of them, failing with the first failed record's <see cref="ProduceException{TKey,TValue}"/>
    /// as <see cref="ProduceAsync"/> would. One delivery handler and one task for the lot instead of one per record.
    /// </summary>
    public Task ProduceAllAsync(string topic, IReadOnlyList<(string Key, byte[] Value, Headers Headers)> records)
    {
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }
        var acks = new BatchAcks(records.Count);
        foreach (var (key, value, headers) in records)
        {
            producer.Client.Produce(topic, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value, Headers = headers }, acks.Report);
        }
        return acks.Task;
    }

    private sealed class BatchAcks(int count)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _pending = count;
        private ProduceException<byte[]?, byte[]?>? _failed;

        public Task Task => _done.Task;

        // On librdkafka's delivery thread: keep it short.
        public void Report(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref _failed, new ProduceException<byte[]?, byte[]?>(report.Error, report), null);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                if (Volatile.Read(ref _failed) is { } failed)
                {
                    _done.SetException(failed);
                }
                else
                {
                    _done.SetResult();
                }
            }
        }
    }

    /// <summary>Sends the records produced so far without waiting for linger.ms (see <see cref="KafkaProducer.SendNow"/>).</summary>
    public void SendNow() => producer.SendNow();

    /// <summary>The Confluent wire format of <paramref name="value"/> for <paramref name="topic"/>.</summary>
    /// <remarks>
    /// The first record of a type for a topic goes through Confluent's serializer, which registers (or looks up) the
    /// schema. Later ones reuse that schema id and the writer Confluent uses (<see cref="SpecificWriter{T}"/> over
    /// T's schema), so the bytes are the same; Confluent's per-record path cost several times the encoding itself.
    /// </remarks>
    public Task<byte[]> SerializeAsync<T>(string topic, T value, Headers? headers = null)
        where T : ISpecificRecord
    {
        return _framed.TryGetValue((topic, typeof(T)), out var framed)
            ? Task.FromResult(((FramedWriter<T>)framed).Write(value))
            : FirstSerializeAsync(topic, value, headers);
    }

    private async Task<byte[]> FirstSerializeAsync<T>(string topic, T value, Headers? headers)
        where T : ISpecificRecord
    {
        var serializer = (AvroSerializer<T>)_serializers.GetOrAdd(typeof(T), _ => new AvroSerializer<T>(registry));
        var bytes = await serializer.SerializeAsync(value, new SerializationContext(MessageComponentType.Value, topic, headers));
        if (bytes is [0, _, _, _, _, ..])
        {
            _framed.TryAdd((topic, typeof(T)), new FramedWriter<T>(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4))));
        }
        return bytes;
    }

    private sealed class FramedWriter<T>(int schemaId)
        where T : ISpecificRecord
    {
        // Confluent's serializer writes with T's static schema, whatever the instance says.
        private readonly SpecificDatumWriter<T> _writer = new(((ISpecificRecord)Activator.CreateInstance<T>()!).Schema);

        public byte[] Write(T value)
        {
            using var stream = new MemoryStream(256);
            Span<byte> header = [0, 0, 0, 0, 0];
            BinaryPrimitives.WriteInt32BigEndian(header[1..], schemaId);
            stream.Write(header);
            _writer.Write(value, new BinaryEncoder(stream));
            return stream.ToArray();
        }
    }
}
