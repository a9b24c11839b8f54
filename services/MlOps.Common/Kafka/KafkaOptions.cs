using System.ComponentModel.DataAnnotations;

namespace MlOps.Common.Kafka;

/// <summary>
/// Kafka connection settings, bound from the <c>Kafka</c> configuration section (or <c>KAFKA_BOOTSTRAP</c>).
/// <see cref="Consumer"/> and <see cref="Producer"/> pass any librdkafka setting through unchanged.
/// </summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    [Required(ErrorMessage = "Kafka:BootstrapServers (or KAFKA_BOOTSTRAP) is required, e.g. 'localhost:9092'.")]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prefix for client ids; the service name is a good choice.</summary>
    public string ClientId { get; set; } = "mlops";

    /// <summary>Extra librdkafka consumer settings (e.g. <c>session.timeout.ms</c>).</summary>
    public Dictionary<string, string> Consumer { get; set; } = new();

    /// <summary>Extra librdkafka producer settings (e.g. <c>linger.ms</c>, <c>compression.type</c>).</summary>
    public Dictionary<string, string> Producer { get; set; } = new();
}
