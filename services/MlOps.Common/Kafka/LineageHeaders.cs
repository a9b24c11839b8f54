using System.Globalization;
using Confluent.Kafka;

namespace MlOps.Common.Kafka;

/// <summary>
/// Headers every output carries so one event can be followed through the system: where it came from, the spec and
/// model versions in force, and the W3C <c>traceparent</c>.
/// </summary>
public static class LineageHeaders
{
    public const string SourceTopic = "mlops.source.topic";
    public const string SourcePartition = "mlops.source.partition";
    public const string SourceOffset = "mlops.source.offset";
    public const string SpecVersion = "mlops.spec.version";
    public const string ModelVersion = "mlops.model.version";
    public const string TraceParent = "traceparent";

    /// <summary>Headers for an output derived from <paramref name="source"/>; the trace context is carried over.</summary>
    public static Headers From(ConsumeResult<byte[]?, byte[]?> source, string? specVersion = null, string? modelVersion = null) =>
        Create(source.Topic, source.Partition.Value, source.Offset.Value, specVersion, modelVersion,
            Get(source.Message.Headers, TraceParent));

    /// <summary>Headers for an output of any origin (an HTTP request has a source but no partition or offset).</summary>
    public static Headers Create(
        string source, int? partition, long? offset, string? specVersion, string? modelVersion, string? traceParent)
    {
        var headers = new Headers().AddUtf8(SourceTopic, source);
        if (partition is { } p) headers.AddUtf8(SourcePartition, p.ToString(CultureInfo.InvariantCulture));
        if (offset is { } o) headers.AddUtf8(SourceOffset, o.ToString(CultureInfo.InvariantCulture));
        if (specVersion is not null) headers.AddUtf8(SpecVersion, specVersion);
        if (modelVersion is not null) headers.AddUtf8(ModelVersion, modelVersion);
        return headers.AddUtf8(TraceParent, traceParent ?? System.Diagnostics.Activity.Current?.Id ?? NewTraceParent());
    }

    /// <summary>The last value of a header as UTF-8 text, or null.</summary>
    public static string? Get(Headers? headers, string key) => headers.GetUtf8(key);

    /// <summary>A fresh W3C traceparent (version 00, sampled).</summary>
    public static string NewTraceParent() =>
        $"00-{System.Diagnostics.ActivityTraceId.CreateRandom()}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01";
}
