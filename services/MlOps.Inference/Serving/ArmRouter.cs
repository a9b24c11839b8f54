using System.Security.Cryptography;
using System.Text;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

// Interim version; the one on agent/deploy-yaml (with its tests) replaces it.
public static class ArmRouter
{
    public const int Buckets = 10_000;

    public static string KeyOf(Deployment deployment, string tenantId, string entityId) =>
        deployment.routing_key == "tenant" ? tenantId : entityId;

    public static int Bucket(string deployment, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(deployment + "\n" + key));
        return (int)(BitConverter.ToUInt64(hash, 0) % Buckets);
    }

    public static DeploymentArm? Choose(Deployment deployment, int bucket)
    {
        var arms = deployment.arms.Where(a => !a.shadow && a.traffic_weight > 0).ToList();
        var total = arms.Sum(a => a.traffic_weight);
        var at = 0.0;
        foreach (var arm in arms)
        {
            at += arm.traffic_weight / total * Buckets;
            if (bucket < at) return arm;
        }
        return arms.LastOrDefault();
    }

    public static IReadOnlyList<DeploymentArm> Shadows(Deployment deployment) => deployment.arms.Where(a => a.shadow).ToList();
}
