using MlOps.Stack.SchemaRegistry;
using Xunit;

namespace MlOps.IntegrationTests.SchemaRegistry;

/// <summary>One embedded registry per test class; tests stay independent by using their own subject names.</summary>
public sealed class SchemaRegistryServerFixture : IAsyncLifetime
{
    private SchemaRegistryServer? server;

    public SchemaRegistryServer Server => server ?? throw new InvalidOperationException("The registry has not started.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        server = await SchemaRegistryServer.StartAsync(0, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A topic name no other test uses, so its "-value" subject starts empty.</summary>
    public static string UniqueTopic() => $"sr-test-{Guid.NewGuid():N}";
}
