using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

public sealed class ConsumerWorkerOptionsTests
{
    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_setting()
    {
        var options = new ConsumerWorkerOptions { Name = "ingest", MaxBatchSize = 0, MaxAttempts = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Consumers:ingest:Topics", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consumers:ingest:GroupId", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consumers:ingest:MaxBatchSize must be within 1..100000 (got 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consumers:ingest:MaxAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass() =>
        new ConsumerWorkerOptions { Name = "w", Topics = ["t"], GroupId = "g" }.Validate();
}
