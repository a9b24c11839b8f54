using System.Diagnostics.CodeAnalysis;

namespace MlOps.Common.Avro;

/// <summary>Outcome of <see cref="AvroPayloadGuard.Check"/>: valid, or the first problem found and where.</summary>
public readonly struct AvroGuardResult
{
    private AvroGuardResult(string? reason) => Reason = reason;

    public static AvroGuardResult Valid => default;

    /// <summary>Why the payload was rejected; null when it is valid.</summary>
    public string? Reason { get; }

    [MemberNotNullWhen(false, nameof(Reason))]
    public bool IsValid => Reason is null;

    public static AvroGuardResult Rejected(string reason) => new(reason);

    public override string ToString() => IsValid ? "valid" : Reason;
}
