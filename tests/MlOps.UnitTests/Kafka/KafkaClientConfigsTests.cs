using Confluent.Kafka;
using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

public sealed class KafkaClientConfigsTests
{
    private static readonly KafkaOptions Options = new()
    {
        BootstrapServers = "b:9092",
        ClientId = "svc",
        Consumer = new() { ["session.timeout.ms"] = "6000", ["enable.auto.offset.store"] = "true", ["auto.offset.reset"] = "latest" },
        Producer = new() { ["linger.ms"] = "50", ["enable.idempotence"] = "false" },
    };

    [Fact]
    public void Consumer_passes_librdkafka_settings_through_but_keeps_at_least_once_guarantees()
    {
        var config = KafkaClientConfigs.Consumer(Options, "group-a");

        Assert.Equal("6000", config.Get("session.timeout.ms"));
        Assert.Equal(AutoOffsetReset.Latest, config.AutoOffsetReset);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.Equal("group-a", config.GroupId);
    }

    [Fact]
    public void Producer_is_always_idempotent_with_acks_all_and_keeps_tuning_overrides()
    {
        var config = KafkaClientConfigs.Producer(Options);

        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(50, config.LingerMs);
        Assert.Equal(CompressionType.Lz4, config.CompressionType);
        Assert.Equal(120_000, config.MessageTimeoutMs);
    }

    [Fact]
    public void Producer_gives_up_on_a_record_before_the_consumer_poll_interval_unless_told_otherwise()
    {
        var defaults = KafkaClientConfigs.Producer(new KafkaOptions { BootstrapServers = "b:9092" });
        var consumer = KafkaClientConfigs.Consumer(new KafkaOptions { BootstrapServers = "b:9092" }, "g");
        var overridden = KafkaClientConfigs.Producer(new KafkaOptions { BootstrapServers = "b:9092", Producer = new() { ["message.timeout.ms"] = "600000" } });

        // librdkafka's max.poll.interval.ms default is 300,000 ms; the consumer config leaves it at that.
        Assert.Null(consumer.MaxPollIntervalMs);
        Assert.True(defaults.MessageTimeoutMs < 300_000);
        Assert.Equal(600_000, overridden.MessageTimeoutMs);
    }
}
