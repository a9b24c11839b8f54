using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;
using MlOps.Ingestion;

namespace MlOps.UnitTests.Ingestion;

/// <summary>A pending claim must outlive the longest wait for a write's acknowledgement, or a copy slips through.</summary>
public sealed class ClaimPendingTtlValidationTests
{
    private static ValidateOptionsResult Validate(TimeSpan ttl, Dictionary<string, string>? producer = null) =>
        new ClaimPendingTtlValidation(Options.Create(new KafkaOptions { BootstrapServers = "localhost:9092", Producer = producer ?? [] }))
            .Validate(null, new IngestionOptions { ClaimPendingTtl = ttl });

    [Fact]
    public void The_default_ttl_outlives_the_default_message_timeout()
    {
        Assert.True(Validate(new IngestionOptions().ClaimPendingTtl).Succeeded);
    }

    [Fact]
    public void A_ttl_no_longer_than_the_message_timeout_is_refused_naming_the_option()
    {
        var result = Validate(KafkaClientConfigs.DefaultMessageTimeout);

        Assert.True(result.Failed);
        Assert.Contains("Ingestion:ClaimPendingTtl", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("message.timeout.ms", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("message.timeout.ms")]
    [InlineData("delivery.timeout.ms")]
    public void A_configured_message_timeout_is_the_one_compared(string key)
    {
        Assert.True(Validate(TimeSpan.FromSeconds(3), new() { [key] = "2000" }).Succeeded);
        Assert.True(Validate(TimeSpan.FromMinutes(10), new() { [key] = "900000" }).Failed);
    }
}
