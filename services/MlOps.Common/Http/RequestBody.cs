using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MlOps.Common.Http;

/// <summary>Reads an HTTP body up to a limit.</summary>
public static class RequestBody
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (chunked bodies have no length).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 64 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(8192);
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
