using System.Net.Sockets;
using System.Text;

namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>Whether a Docker engine answers (a <c>docker</c> client alone is not enough for Testcontainers).</summary>
internal static class DockerEngine
{
    public static async Task<bool> IsReachableAsync(CancellationToken ct)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socketPath = host is not null && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        if (host is not null && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return true; // a remote engine was configured explicitly: let Testcontainers try it
        }
        if (!File.Exists(socketPath))
        {
            return false;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\n\r\n"u8.ToArray(), ct);
            var buffer = new byte[256];
            var read = await socket.ReceiveAsync(buffer, ct);
            return Encoding.ASCII.GetString(buffer, 0, read).Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
