using System.Collections.Concurrent;
using System.Text;
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

    /// <summary>Encodes and produces; completes once the broker acknowledged the record.</summary>
    public async Task<DeliveryResult<byte[]?, byte[]?>> PublishAsync<T>(
        string topic, string? key, T value, Headers? headers, CancellationToken ct)
        where T : ISpecificRecord
    {
        var bytes = await SerializeAsync(topic, value, headers);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = bytes,
            Headers = headers ?? [],
        };
        return await producer.ProduceAsync(topic, message, ct);
    }

    /// <summary>The Confluent wire format of <paramref name="value"/> for <paramref name="topic"/>.</summary>
    public Task<byte[]> SerializeAsync<T>(string topic, T value, Headers? headers = null)
        where T : ISpecificRecord
    {
        var serializer = (AvroSerializer<T>)_serializers.GetOrAdd(typeof(T), _ => new AvroSerializer<T>(registry));
        return serializer.SerializeAsync(value, new SerializationContext(MessageComponentType.Value, topic, headers));
    }
}
