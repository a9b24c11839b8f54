using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

/// <summary>
/// A batch is committed only once its poison is in the dead-letter topic: when that topic refuses, the batch is
/// retried like a transient failure and then re-read, so the poison is never left in no topic at all.
/// </summary>
public sealed class BatchProcessorDeadLetterTests
{
    private static readonly ConsumerWorkerOptions Options = new()
    {
        Name = "unit-dlq",
        Topics = ["t"],
        GroupId = "g",
        RetryBackoff = TimeSpan.FromMilliseconds(1),
        MaxRetryBackoff = TimeSpan.FromMilliseconds(2),
        MaxTransientRetry = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>A budget no recovery within a few attempts can run out of, however slow the machine.</summary>
    private static readonly ConsumerWorkerOptions Generous = new()
    {
        Name = Options.Name,
        Topics = Options.Topics,
        GroupId = Options.GroupId,
        RetryBackoff = Options.RetryBackoff,
        MaxRetryBackoff = Options.MaxRetryBackoff,
        MaxTransientRetry = TimeSpan.FromMinutes(1),
    };

    private static Task<bool> ProcessPoisonAsync(ScriptedBroker broker, ConsumeResult<byte[]?, byte[]?> message, ConsumerWorkerOptions? options = null) =>
        new BatchProcessor(options ?? Options, new AllPoison(), new DeadLetterPublisher(broker.ProduceAsync, TimeProvider.System), NullLogger.Instance, TimeProvider.System)
            .ProcessBatchAsync([message], prepared: null, CancellationToken.None);

    [Theory]
    [InlineData(ErrorCode.UnknownTopicOrPart)]
    [InlineData(ErrorCode.TopicAuthorizationFailed)]
    [InlineData(ErrorCode.PolicyViolation)]
    public async Task A_dead_letter_topic_that_keeps_refusing_leaves_the_batch_uncommitted_to_be_re_read(ErrorCode code)
    {
        var broker = new ScriptedBroker((_, _) => code);

        var committed = await ProcessPoisonAsync(broker, FakeMessages.At(3));

        Assert.False(committed, "the batch was committed with its poison in no topic");
        Assert.True(broker.Attempts > 1, "the dead letter was retried before the batch was given up");
        Assert.Equal(0, broker.ValueLessAttempts);
        Assert.Empty(broker.Written);
    }

    [Fact]
    public async Task A_dead_letter_topic_that_recovers_within_the_budget_gets_the_poison_with_its_bytes()
    {
        var broker = new ScriptedBroker((attempt, _) => attempt <= 3 ? ErrorCode.TopicAuthorizationFailed : null);
        var message = FakeMessages.At(3);

        var committed = await ProcessPoisonAsync(broker, message, Generous);

        Assert.True(committed);
        var (topic, written) = Assert.Single(broker.Written);
        Assert.Equal("t.dlq", topic);
        Assert.Equal(message.Message.Value, written.Value);
        Assert.Equal(4, broker.Attempts);
    }

    [Fact]
    public async Task A_poison_record_too_large_for_the_dead_letter_topic_is_written_without_its_value_and_the_batch_commits()
    {
        var broker = new ScriptedBroker((_, message) => message.Value is null ? null : ErrorCode.MsgSizeTooLarge);

        var committed = await ProcessPoisonAsync(broker, FakeMessages.At(3));

        Assert.True(committed);
        Assert.Null(Assert.Single(broker.Written).Message.Value);
    }

    [Fact]
    public async Task When_even_the_value_less_dead_letter_is_refused_the_batch_is_not_committed()
    {
        var broker = new ScriptedBroker((_, _) => ErrorCode.MsgSizeTooLarge);

        var committed = await ProcessPoisonAsync(broker, FakeMessages.At(3));

        Assert.False(committed);
        Assert.Empty(broker.Written);
    }

    private sealed class AllPoison : IKafkaBatchHandler
    {
        public Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<PoisonMessage>>([.. batch.Select(m => new PoisonMessage(m, "rejected"))]);
    }
}
