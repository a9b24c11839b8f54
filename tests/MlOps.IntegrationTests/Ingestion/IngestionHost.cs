using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Ingestion;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Ingestion;

/// <summary>The Ingestion service wired exactly as its Program.cs does, on a loopback port, against the test stack.</summary>
internal sealed class IngestionHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IngestionHost(WebApplication app, Uri url)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = url };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<IngestionHost> StartAsync(StackFixture stack, string specPath, string groupId, IDictionary<string, string?>? extra = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = stack.Endpoints.KafkaBootstrap,
            ["SchemaRegistry:Url"] = stack.Endpoints.SchemaRegistryUrl,
            ["Redis:Configuration"] = stack.Endpoints.RedisUrl.Replace("redis://", "", StringComparison.Ordinal),
            ["Ingestion:SpecPath"] = specPath,
            ["Ingestion:GroupId"] = groupId,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.BuildIngestionApp();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new IngestionHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
