using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>
/// The consumer worker in a real process (mlops probe worker), killed with SIGKILL mid-stream and started again:
/// every message is processed, and re-processing is bounded by the one batch that was not committed.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AtLeastOnceCrashTests(StackFixture stack, ITestOutputHelper output)
{
    private const int Messages = 3000;
    private const int BatchSize = 50;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_consumer_killed_mid_batch_loses_nothing_and_duplicates_at_most_one_batch()
    {
        var topic = await stack.CreateTopicAsync("crash", partitions: 3);
        var group = StackFixture.NewGroupId("crash");
        await RawMessages.ProduceAsync(stack.Endpoints.KafkaBootstrap, topic, Messages);
        using var cli = new MlopsCli(stack.Endpoints);
        var outFile = Path.Combine(cli.Home, "processed.txt");
        string[] worker = ["probe", "worker", "--topic", topic, "--group", group, "--out", outFile,
            "--batch", BatchSize.ToString(), "--session-timeout-ms", "6000", "--delay-ms", "1"];

        using (var first = cli.Start(worker))
        {
            await WaitForLinesAsync(outFile, lines => lines.Length >= Messages / 3, "first worker processed a third");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var beforeRestart = ReadLines(outFile);

        using (var second = cli.Start(worker))
        {
            await WaitForLinesAsync(outFile, lines => lines.Distinct().Count() == Messages, "every offset processed after restart");
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        var lines = ReadLines(outFile);
        var duplicates = lines.Length - lines.Distinct().Count();
        output.WriteLine($"processed {lines.Length} lines, {lines.Distinct().Count()} distinct, {duplicates} duplicates; {beforeRestart.Length} before the kill");
        Assert.Equal(Messages, lines.Distinct().Count());
        Assert.True(beforeRestart.Length < Messages, "the kill happened before the stream was finished");
        Assert.InRange(duplicates, 0, BatchSize);
    }

    private static string[] ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Contains(':', StringComparison.Ordinal)).ToArray() : [];

    private static Task WaitForLinesAsync(string path, Func<string[], bool> condition, string expectation) =>
        Eventually.MatchAsync(_ => Task.FromResult(ReadLines(path)), condition, Timeout, expectation);
}
