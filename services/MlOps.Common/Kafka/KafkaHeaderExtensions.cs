using System.Text;
using Confluent.Kafka;

namespace MlOps.Common.Kafka;

public static class KafkaHeaderExtensions
{
    /// <summary>Adds a header whose value is UTF-8 text.</summary>
    public static Headers AddUtf8(this Headers headers, string key, string value)
    {
        headers.Add(key, Encoding.UTF8.GetBytes(value));
        return headers;
    }

    /// <summary>The last value of a header as UTF-8 text, or null.</summary>
    public static string? GetUtf8(this Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
