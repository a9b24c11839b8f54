namespace MlOps.Cli.Replay;

/// <summary>
/// Compresses event time into wall time: at speed N an hour of event time takes an hour / N; speed 0 publishes as
/// fast as the producer goes.
/// </summary>
internal sealed class ReplayPacer(double speed, DateTime firstEventTime)
{
    public double Speed { get; } = speed >= 0 && double.IsFinite(speed)
        ? speed
        : throw new ArgumentOutOfRangeException(nameof(speed), speed, "must be 0 (as fast as possible) or a positive factor");

    /// <summary>How long after the replay's start an event at <paramref name="eventTime"/> is due.</summary>
    public TimeSpan DueAfter(DateTime eventTime) =>
        Speed == 0 || eventTime <= firstEventTime ? TimeSpan.Zero : (eventTime - firstEventTime) / Speed;

    /// <summary>"max", or a positive number: how many times faster than real time.</summary>
    public static bool TryParseSpeed(string text, out double speed)
    {
        speed = 0;
        return text == "max"
            || double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out speed)
            && speed > 0 && double.IsFinite(speed);
    }
}
