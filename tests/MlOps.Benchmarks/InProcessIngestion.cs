using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using MlOps.Ingestion;
using MlOps.Stack;

namespace MlOps.Benchmarks;

/// <summary>The Ingestion service, built as its Program.cs builds it, inside the benchmark process.</summary>
internal static class InProcessIngestion
{
    public static async Task<WebApplication> StartAsync(StackEndpoints stack, string specPath)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = stack.KafkaBootstrap,
            ["SchemaRegistry:Url"] = stack.SchemaRegistryUrl,
            ["Redis:Configuration"] = stack.RedisUrl.Replace("redis://", "", StringComparison.Ordinal),
            ["Ingestion:SpecPath"] = specPath,
            ["Ingestion:GroupId"] = "bench-ingestion-" + Guid.NewGuid().ToString("N"),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.BuildIngestionApp();
        await app.StartAsync();
        return app;
    }
}
