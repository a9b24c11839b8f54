using System.Net;
using System.Net.Sockets;

namespace MlOps.IntegrationTests.Hosting;

internal static class FreePort
{
    /// <summary>A loopback port nothing listens on right now (the OS just handed it out and it was released).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
