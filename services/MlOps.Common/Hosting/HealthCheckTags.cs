namespace MlOps.Common.Hosting;

/// <summary>Tags that decide which endpoint runs a health check.</summary>
public static class HealthCheckTags
{
    /// <summary>Runs on <c>/health/live</c>: the process itself, never a dependency (a restart would not fix one).</summary>
    public const string Live = "live";

    /// <summary>Runs on <c>/health/ready</c>: dependencies the service needs before it can take work.</summary>
    public const string Ready = "ready";
}
