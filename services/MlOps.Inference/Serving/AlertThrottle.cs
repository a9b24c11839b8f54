namespace MlOps.Inference.Serving;

/// <summary>Lets an alert key through at most once per interval (the first time, then again once it has elapsed).</summary>
public sealed class AlertThrottle(TimeProvider clock, TimeSpan interval)
{
    private readonly Dictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool ShouldRaise(string key)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_last.TryGetValue(key, out var last) && now - last < interval)
            {
                return false;
            }
            _last[key] = now;
            return true;
        }
    }
}
