using MlOps.Contracts;

namespace MlOps.Common.Http;

/// <summary>An event as parsed, with its own JSON text (what quarantine keeps as raw bytes).</summary>
public sealed record ParsedEvent(EventEnvelope Envelope, byte[] RawJson);
