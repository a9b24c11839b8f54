using System.Net;
using MlOps.Common.Hosting;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;
using MlOps.Stack.Redis;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Hosting;

public sealed class DefaultEndpointsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadinessIsUnavailableNamingKafkaWhenTheBrokerIsUnreachable()
    {
        using var cancellation = new CancellationTokenSource(Timeout * 2);
        await using var redis = await RedisServerProcess.StartAsync(0, cancellation.Token);
        await using var service = await ServiceHost.StartAsync(ServiceDependencies.All, new()
        {
            ["Kafka:BootstrapServers"] = $"127.0.0.1:{LoopbackPorts.Free()}",
            ["SchemaRegistry:Url"] = "http://127.0.0.1:8081",
            ["Redis:Configuration"] = $"127.0.0.1:{redis.Port}",
        }, cancellation.Token);

        var ready = await Eventually.MatchAsync(
            ct => service.GetHealthAsync(ServiceDefaultsExtensions.ReadyPath, ct),
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.CheckStatus("kafka") == "Unhealthy" && r.CheckStatus("redis") == "Healthy",
            Timeout, "ready is 503 with kafka Unhealthy and redis Healthy");

        output.WriteLine($"ready: {ready}");
        Assert.StartsWith("Kafka unreachable", ready.CheckDescription("kafka"), StringComparison.Ordinal);
        Assert.Null(ready.CheckStatus("self"));
        var live = await service.GetHealthAsync(ServiceDefaultsExtensions.LivePath, cancellation.Token);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", live.CheckStatus("self"));
        Assert.Null(live.CheckStatus("kafka"));
    }

    [Fact]
    public async Task ReadinessFollowsRedisWhileLivenessStaysUp()
    {
        using var cancellation = new CancellationTokenSource(Timeout * 3);
        await using var redis = await RedisServerProcess.StartAsync(0, cancellation.Token);
        await using var service = await ServiceHost.StartAsync(
            ServiceDependencies.Redis, new() { ["Redis:Configuration"] = $"127.0.0.1:{redis.Port}" }, cancellation.Token);

        await Eventually.MatchAsync(
            ct => service.GetHealthAsync(ServiceDefaultsExtensions.ReadyPath, ct),
            r => r.StatusCode == HttpStatusCode.OK && r.CheckStatus("redis") == "Healthy",
            Timeout, "ready is 200 with redis Healthy while redis-server runs");
        await AssertLiveAsync(service, cancellation.Token);

        await redis.KillAsync();

        var ready = await Eventually.MatchAsync(
            ct => service.GetHealthAsync(ServiceDefaultsExtensions.ReadyPath, ct),
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.CheckStatus("redis") == "Unhealthy",
            Timeout, "ready is 503 with redis Unhealthy after redis-server was killed");
        output.WriteLine($"ready after kill: {ready}");
        Assert.False(string.IsNullOrEmpty(ready.CheckDescription("redis")));
        await AssertLiveAsync(service, cancellation.Token);
    }

    [Fact]
    public async Task MetricsExposeHttpRequestCounts()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        await using var service = await ServiceHost.StartAsync(ServiceDependencies.None, [], cancellation.Token);
        await AssertLiveAsync(service, cancellation.Token);

        using var metrics = await service.Client.GetAsync(ServiceDefaultsExtensions.MetricsPath, cancellation.Token);
        var text = await metrics.Content.ReadAsStringAsync(cancellation.Token);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("http_requests_received_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorWithoutABodyOfItsOwnIsAnsweredAsProblemJson()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        await using var service = await ServiceHost.StartAsync(ServiceDependencies.None, [], cancellation.Token);

        using var missing = await service.Client.GetAsync("/v1/no-such-endpoint", cancellation.Token);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":404", await missing.Content.ReadAsStringAsync(cancellation.Token), StringComparison.Ordinal);
    }

    private static async Task AssertLiveAsync(ServiceHost service, CancellationToken cancellationToken)
    {
        var live = await service.GetHealthAsync(ServiceDefaultsExtensions.LivePath, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
