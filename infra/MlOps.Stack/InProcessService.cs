using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Stack;

/// <summary>
/// A platform service built exactly as its Program.cs builds it (through <c>build</c>), hosted inside a test or
/// benchmark process on a loopback port against a stack. Configuration is only what is passed here.
/// </summary>
public sealed class InProcessService : IAsyncDisposable
{
    private InProcessService(WebApplication app, Uri url, RecentLogs logs)
    {
        App = app;
        Url = url;
        Logs = logs;
        Client = new HttpClient { BaseAddress = url };
    }

    public WebApplication App { get; }

    public Uri Url { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The service's recent warnings and errors, for a test to print when it fails.</summary>
    public RecentLogs Logs { get; }

    public static async Task<InProcessService> StartAsync(
        StackEndpoints stack, Func<WebApplicationBuilder, WebApplication> build, IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        var all = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = stack.KafkaBootstrap,
            ["SchemaRegistry:Url"] = stack.SchemaRegistryUrl,
            ["Redis:Configuration"] = stack.RedisUrl.Replace("redis://", "", StringComparison.Ordinal),
            [WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var logs = new RecentLogs();
        builder.Logging.AddProvider(logs);
        var app = build(builder);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A refused start (the service's own checks) must not leave its connections and timers behind.
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new InProcessService(app, new Uri(address), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
