namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>Polls until a condition holds or a deadline passes; never waits a fixed time for its own sake.</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> MatchAsync<T>(
        Func<CancellationToken, Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string expectation)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var last = "nothing observed";
        try
        {
            while (true)
            {
                var value = await probe(deadline.Token);
                if (condition(value))
                {
                    return value;
                }

                last = value?.ToString() ?? "null";
                await Task.Delay(PollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"Not true within {timeout.TotalSeconds:F0} s: {expectation}. Last observed: {last}");
        }
    }
}
