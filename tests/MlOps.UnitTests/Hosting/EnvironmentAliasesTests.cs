using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using MlOps.Common.Hosting;
using Xunit;

namespace MlOps.UnitTests.Hosting;

public sealed class EnvironmentAliasesTests
{
    [Fact]
    public void StackEnvVariablesMapToConfigurationKeys()
    {
        var mapped = EnvironmentAliases.Map(new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP"] = "127.0.0.1:39092",
            ["SCHEMA_REGISTRY_URL"] = "http://127.0.0.1:38081",
            ["REDIS_URL"] = "redis://127.0.0.1:36379",
            ["PATH"] = "/usr/bin",
        });

        Assert.Equal(3, mapped.Count);
        Assert.Equal("127.0.0.1:39092", mapped["Kafka:BootstrapServers"]);
        Assert.Equal("http://127.0.0.1:38081", mapped["SchemaRegistry:Url"]);
        Assert.Equal("127.0.0.1:36379", mapped["Redis:Configuration"]);
    }

    [Theory]
    [InlineData("Kafka__BootstrapServers")]
    [InlineData("KAFKA__BOOTSTRAPSERVERS")]
    public void ExplicitVariableSuppressesItsAlias(string explicitVariable)
    {
        var mapped = EnvironmentAliases.Map(new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP"] = "alias:9092",
            [explicitVariable] = "explicit:9092",
            ["REDIS_URL"] = "redis://cache:6379",
        });

        Assert.False(mapped.ContainsKey("Kafka:BootstrapServers"));
        Assert.Equal("cache:6379", mapped["Redis:Configuration"]);
    }

    [Fact]
    public void EmptyAliasIsIgnored() =>
        Assert.Empty(EnvironmentAliases.Map(new Dictionary<string, string> { ["KAFKA_BOOTSTRAP"] = "", ["REDIS_URL"] = "" }));

    [Fact]
    public void MalformedRedisUrlFailsNamingRedisUrl()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            EnvironmentAliases.Map(new Dictionary<string, string> { ["REDIS_URL"] = "http://cache:6379" }));

        Assert.Contains("REDIS_URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasOverridesAppSettingsAndLosesToLaterSources()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("Kafka:BootstrapServers", "appsettings:9092"), new("SchemaRegistry:Url", "http://appsettings")]);

        configuration.AddEnvironmentAliases(new Dictionary<string, string> { ["KAFKA_BOOTSTRAP"] = "alias:9092", ["SCHEMA_REGISTRY_URL"] = "http://alias" });
        configuration.AddInMemoryCollection([new("SchemaRegistry:Url", "http://command-line")]);

        Assert.Equal("alias:9092", configuration["Kafka:BootstrapServers"]);
        Assert.Equal("http://command-line", configuration["SchemaRegistry:Url"]);
    }

    [Fact]
    public void AliasesSitJustBelowTheEnvironmentVariableSource()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("Kafka:BootstrapServers", "appsettings:9092")]);
        configuration.AddEnvironmentVariables(prefix: "DOTNET_");
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection([new("Kafka:ClientId", "command-line")]);

        configuration.AddEnvironmentAliases(new Dictionary<string, string> { ["KAFKA_BOOTSTRAP"] = "alias:9092" });

        var sources = ((IConfigurationBuilder)configuration).Sources;
        var environmentIndex = sources.Count - 2;
        Assert.IsType<EnvironmentVariablesConfigurationSource>(sources[environmentIndex]);
        Assert.Null(((EnvironmentVariablesConfigurationSource)sources[environmentIndex]).Prefix);
        Assert.IsNotType<EnvironmentVariablesConfigurationSource>(sources[environmentIndex - 1]);
    }
}
