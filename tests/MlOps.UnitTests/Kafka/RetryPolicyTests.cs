using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Common.Kafka;
using StackExchange.Redis;

namespace MlOps.UnitTests.Kafka;

public sealed class RetryPolicyTests
{
    private static readonly ConsumerWorkerOptions Options = new()
    {
        Name = "unit",
        Topics = ["t"],
        GroupId = "g",
        MaxAttempts = 3,
        RetryBackoff = TimeSpan.FromMilliseconds(1),
        MaxRetryBackoff = TimeSpan.FromMilliseconds(2),
    };

    [Fact]
    public async Task A_failing_batch_is_split_and_only_the_message_that_keeps_failing_is_poison()
    {
        var handler = new ScriptedHandler(batch => batch.Any(m => m.Offset == 3) ? throw new FormatException("bad 3") : []);

        var poison = await new RetryPolicy(Options, NullLogger.Instance, TimeProvider.System).RunAsync(handler, FakeMessages.Range(6), CancellationToken.None);

        var single = Assert.Single(poison);
        Assert.Equal(3, single.Message.Offset.Value);
        Assert.Contains("bad 3", single.Reason, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", single.Reason, StringComparison.Ordinal);
        // 1 batch call, then one call per message, with the poison one tried MaxAttempts times.
        Assert.Equal(1 + 5 + 3, handler.Calls);
    }

    [Fact]
    public async Task Transient_failures_are_retried_until_they_pass_and_nothing_is_poison()
    {
        var failuresLeft = 4;
        var handler = new ScriptedHandler(_ => failuresLeft-- > 0 ? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "down") : []);

        var poison = await new RetryPolicy(Options, NullLogger.Instance, TimeProvider.System).RunAsync(handler, FakeMessages.Range(10), CancellationToken.None);

        Assert.Empty(poison);
        Assert.Equal(5, handler.Calls);
    }

    [Fact]
    public async Task Transient_retries_stop_when_shutdown_is_requested_and_report_no_poison()
    {
        using var cts = new CancellationTokenSource();
        var handler = new ScriptedHandler(_ =>
        {
            cts.Cancel();
            throw new TimeoutException("slow dependency");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new RetryPolicy(Options, NullLogger.Instance, TimeProvider.System).RunAsync(handler, FakeMessages.Range(3), cts.Token));
    }

    [Fact]
    public async Task Transient_failures_that_outlast_the_budget_give_the_batch_up_instead_of_dead_lettering_it()
    {
        var options = new ConsumerWorkerOptions
        {
            Name = "unit", Topics = ["t"], GroupId = "g",
            RetryBackoff = TimeSpan.FromMilliseconds(1), MaxRetryBackoff = TimeSpan.FromMilliseconds(2),
            MaxTransientRetry = TimeSpan.FromMilliseconds(300),
        };
        // Each failing attempt takes 100 ms of the budget's clock, whatever the machine's load: the budget runs out
        // on the third attempt, never on the first.
        var clock = new SteppedClock();
        var handler = new ScriptedHandler(_ =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            throw new KafkaException(ErrorCode.Local_AllBrokersDown);
        });

        var error = await Assert.ThrowsAsync<TransientRetryExhaustedException>(() =>
            new RetryPolicy(options, NullLogger.Instance, clock).RunAsync(handler, FakeMessages.Range(3), CancellationToken.None));

        Assert.IsType<KafkaException>(error.InnerException);
        Assert.True(handler.Calls > 1, "retried before giving up");
    }

    [Fact]
    public async Task Poison_reported_by_the_handler_passes_through_unchanged()
    {
        var batch = FakeMessages.Range(3);
        var handler = new ScriptedHandler(b => [new PoisonMessage(b[1], "invalid")]);

        var poison = await new RetryPolicy(Options, NullLogger.Instance, TimeProvider.System).RunAsync(handler, batch, CancellationToken.None);

        Assert.Same(batch[1], Assert.Single(poison).Message);
        Assert.Equal(1, handler.Calls);
    }

    /// <summary>Elapsed time moves only when the test says so; timers (the backoff delays) are the system's.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task A_split_batch_shares_one_transient_budget_rather_than_one_per_message()
    {
        // Whole, the batch fails for one message; each message on its own fails transiently 4 times, then passes.
        // 4 waits of 1 s fit a 10 s budget per message (12 s in all), but not one budget for the batch.
        var failures = new Dictionary<long, int>();
        var handler = new ScriptedHandler(batch =>
        {
            if (batch.Count > 1) throw new FormatException("one of them is bad");
            var offset = batch[0].Offset.Value;
            failures[offset] = failures.GetValueOrDefault(offset) + 1;
            return failures[offset] <= 4 ? throw new TimeoutException("flapping dependency") : [];
        });
        var options = new ConsumerWorkerOptions
        {
            Name = "unit", Topics = ["t"], GroupId = "g",
            RetryBackoff = TimeSpan.FromSeconds(1), MaxRetryBackoff = TimeSpan.FromSeconds(1), MaxTransientRetry = TimeSpan.FromSeconds(10),
        };

        await Assert.ThrowsAsync<TransientRetryExhaustedException>(() =>
            new RetryPolicy(options, NullLogger.Instance, new InstantClock()).RunAsync(handler, FakeMessages.Range(3), CancellationToken.None));
        Assert.Equal(3, failures.Count); // the third message ran out of the batch's budget
    }

    /// <summary>A clock whose delays complete at once, moving it forward by their length: waits are counted, not spent.</summary>
    private sealed class InstantClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class ScriptedHandler(Func<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>, IReadOnlyList<PoisonMessage>> script) : IKafkaBatchHandler
    {
        public int Calls { get; private set; }

        public Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(script(batch));
        }
    }
}
