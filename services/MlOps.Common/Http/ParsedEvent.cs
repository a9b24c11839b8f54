using MlOps.Contracts;

namespace MlOps.Common.Http;

/// <summary>An event as parsed, with its own JSON text (what quarantine keeps as raw bytes).</summary>
/// <param name="Pointer">Where the event sits in the body, for problems about it: "" for a lone object, "/3" in an array.</param>
public sealed record ParsedEvent(EventEnvelope Envelope, byte[] RawJson, string Pointer);
