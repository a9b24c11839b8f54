using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Common.Hosting;
using Xunit;

namespace MlOps.UnitTests.Hosting;

public sealed class ServiceDefaultsValidationTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MissingKafkaBootstrapFailsStartNamingTheSetting()
    {
        using var host = BuildHost(ServiceDependencies.Kafka, []);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(host));

        Assert.Contains("Kafka:BootstrapServers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryMissingSettingIsReportedAtOnce()
    {
        using var host = BuildHost(ServiceDependencies.All, []);

        var ex = await Record.ExceptionAsync(() => StartAsync(host));

        Assert.NotNull(ex);
        Assert.Contains("Kafka:BootstrapServers", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:Url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:Configuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRedisConfigurationFailsStartNamingTheSetting()
    {
        using var host = BuildHost(ServiceDependencies.Redis, new() { ["Redis:Configuration"] = "http://cache:6379" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(host));

        Assert.Contains("Redis:Configuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceWithoutRedisStartsWithoutRedisSettings()
    {
        using var host = BuildHost(ServiceDependencies.Kafka | ServiceDependencies.SchemaRegistry, new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9092",
            ["SchemaRegistry:Url"] = "http://127.0.0.1:8081",
        });

        await StartAsync(host);
        await host.StopAsync(CancellationToken.None);
    }

    /// <summary>A host whose configuration is exactly <paramref name="settings"/>, whatever the machine's environment holds.</summary>
    private static IHost BuildHost(ServiceDependencies dependencies, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddServiceDefaults("unit-test", dependencies);
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder.Build();
    }

    private static async Task StartAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(timeout.Token);
    }
}
