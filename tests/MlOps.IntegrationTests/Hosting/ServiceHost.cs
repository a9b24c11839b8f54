using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Common.Hosting;

namespace MlOps.IntegrationTests.Hosting;

/// <summary>
/// A service built the way every MLOps Program.cs is (AddServiceDefaults + MapDefaultEndpoints), on a real Kestrel
/// at 127.0.0.1 with an OS-chosen port, in the Production environment, with exactly the given configuration.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceHost(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(15) };
    }

    public HttpClient Client { get; }

    public static async Task<ServiceHost> StartAsync(
        ServiceDependencies dependencies, Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.AddServiceDefaults("hosting-test", dependencies);
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);

        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapDefaultEndpoints();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new ServiceHost(app, new Uri(address));
    }

    public async Task<HealthResponse> GetHealthAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Client.GetAsync(path, cancellationToken);
        return new HealthResponse(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
