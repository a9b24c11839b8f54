namespace MlOps.Rollout.Control;

/// <summary>The arm names the controller publishes and Inference stamps on predictions during a rollout.</summary>
public static class RolloutArms
{
    public const string Champion = "champion";
    public const string Candidate = "candidate";
}
