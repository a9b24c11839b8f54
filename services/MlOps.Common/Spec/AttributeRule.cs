namespace MlOps.Common.Spec;

/// <summary>The value types an attribute can declare; they are the Avro union branches of EventEnvelope.attributes.</summary>
public enum AttributeType
{
    String,
    Long,
    Double,
    Boolean,
}

/// <summary>Rules for one attribute. Bounds are inclusive; <paramref name="Pattern"/> must match the whole value.</summary>
public sealed record AttributeRule(
    string Name,
    AttributeType Type,
    bool Required,
    double? Min = null,
    double? Max = null,
    IReadOnlySet<string>? AllowedValues = null,
    FullMatchPattern? Pattern = null,
    int? MaxLength = null);
