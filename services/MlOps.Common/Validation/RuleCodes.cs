namespace MlOps.Common.Validation;

/// <summary>The reasons an input is quarantined. Stable strings: they appear in quarantine records and metrics.</summary>
public static class RuleCodes
{
    // Whole-input problems, found before a contract applies.
    public const string Undecodable = "undecodable";
    public const string UnknownSchemaId = "unknown_schema_id";
    public const string OversizePayload = "oversize_payload";
    public const string MalformedJson = "malformed_json";
    public const string UnknownEventType = "unknown_event_type";
    public const string MissingField = "missing_field";

    // Per-event limits of a contract.
    public const string MaxEventBytes = "max_event_bytes";
    public const string MaxAttributes = "max_attributes";
    public const string ClockSkew = "clock_skew";
    public const string MaxAge = "max_age";
    public const string UnknownAttribute = "unknown_attribute";

    // Per-attribute rules.
    public const string Required = "required";
    public const string Type = "type";
    public const string Min = "min";
    public const string Max = "max";
    public const string AllowedValues = "allowed_values";
    public const string Pattern = "pattern";
    public const string MaxLength = "max_length";

    public static IReadOnlyList<string> All { get; } =
    [
        Undecodable, UnknownSchemaId, OversizePayload, MalformedJson, UnknownEventType, MissingField,
        MaxEventBytes, MaxAttributes, ClockSkew, MaxAge, UnknownAttribute,
        Required, Type, Min, Max, AllowedValues, Pattern, MaxLength,
    ];
}
