using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>
/// A small Confluent-compatible Schema Registry on Kestrel for the embedded dev/CI stack, where no real one exists.
/// State is in memory only and dies with the server.
/// </summary>
public sealed class SchemaRegistryServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly WebApplication app;

    private SchemaRegistryServer(WebApplication app, SchemaStore store, Uri url)
    {
        this.app = app;
        Store = store;
        Url = url;
    }

    /// <summary>Base address, e.g. http://127.0.0.1:41234 — what goes into SchemaRegistryConfig.Url.</summary>
    public Uri Url { get; }

    public SchemaStore Store { get; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/>; port 0 picks a free port.</summary>
    public static async Task<SchemaRegistryServer> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Many servers may run in one test process: no appsettings file watchers, no dependence on the cwd.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        var app = builder.Build();
        var store = new SchemaStore();
        app.UseRegistryErrors();
        app.MapGet("/", () => RegistryHttp.Json(new { }));
        app.MapSubjectEndpoints(store);
        app.MapSchemaEndpoints(store);
        app.MapConfigEndpoints(store);
        app.MapCompatibilityEndpoints(store);
        app.MapRegistryNotFound();

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        return new SchemaRegistryServer(app, store, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
