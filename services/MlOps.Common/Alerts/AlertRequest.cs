using MlOps.Contracts;

namespace MlOps.Common.Alerts;

/// <summary>
/// What a service knows when it detects (or clears) a condition. Labels identify the alert and drive routing, so
/// their values must be bounded (event type, model, tenant — never an entity id); annotations carry the details.
/// </summary>
public sealed record AlertRequest(
    string AlertName,
    AlertSeverity Severity,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    bool Resolved = false);
