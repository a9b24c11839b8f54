namespace MlOps.Training;

/// <summary>The label: an arrival more than 15 minutes late (the BTS on-time definition).</summary>
public static class FlightLabel
{
    public const double DelayThresholdMinutes = 15;

    public static bool IsDelayed(double arrivalDelayMinutes) => arrivalDelayMinutes > DelayThresholdMinutes;
}
