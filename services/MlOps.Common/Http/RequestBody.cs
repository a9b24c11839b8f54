using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MlOps.Common.Http;

/// <summary>Reads an HTTP body up to a limit.</summary>
public static class RequestBody
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (chunked bodies have no length).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        // Sized by Content-Length when it is given (+1, to see the end without growing), so a small request does
        // not allocate a large buffer: this runs per request on the predict path, where allocation is GC pauses.
        var initial = request.ContentLength is { } length && length <= limit ? (int)length + 1 : Math.Min(limit + 1, 4096);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(initial, 1));
        while (true)
        {
            var memory = buffer.GetMemory();
            var read = await request.Body.ReadAsync(memory, ct);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }
}
