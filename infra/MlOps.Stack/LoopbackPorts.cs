using System.Net;
using System.Net.Sockets;

namespace MlOps.Stack;

public static class LoopbackPorts
{
    /// <summary>A loopback port nothing listens on right now (the OS handed it out and it was released).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
