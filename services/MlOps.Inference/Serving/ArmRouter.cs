using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// Picks the arm that serves a request, deterministically: a stable hash of the deployment and the routing key
/// selects one of <see cref="Buckets"/> buckets, and the non-shadow arms, in their listed order, own consecutive
/// bucket ranges proportional to their weights. A cohort therefore keeps its arm across restarts, instances and
/// .NET versions; raising the last arm's weight only grows its range at the expense of the arm before it, so keys
/// already on it stay on it.
/// </summary>
public static class ArmRouter
{
    public const int Buckets = 10_000;

    /// <summary>The routing key per <c>deployment.routing_key</c>: "tenant" routes by tenant, anything else by entity.</summary>
    public static string KeyOf(Deployment deployment, string tenantId, string entityId) =>
        string.Equals(deployment.routing_key, "tenant", StringComparison.Ordinal) ? tenantId : entityId;

    /// <summary>
    /// The first 8 bytes of SHA-256 over UTF-8 "deployment\nkey", big-endian, modulo <see cref="Buckets"/>.
    /// SHA-256 (not <see cref="string.GetHashCode()"/>, which is randomised per process) keeps buckets stable everywhere.
    /// </summary>
    public static int Bucket(string deployment, string key)
    {
        var text = $"{deployment}\n{key}";
        Span<byte> utf8 = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = Encoding.UTF8.GetBytes(text, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    /// <summary>
    /// The serving (non-shadow) arm for a bucket. Weights are normalised over the non-shadow arms' sum; a zero (or
    /// negative) weight owns no buckets. Null when there is no non-shadow arm or all their weights are 0.
    /// </summary>
    public static DeploymentArm? Choose(Deployment deployment, int bucket)
    {
        var total = 0.0;
        DeploymentArm? last = null;
        foreach (var arm in deployment.arms)
        {
            if (!arm.shadow && arm.traffic_weight > 0)
            {
                total += arm.traffic_weight;
                last = arm;
            }
        }
        if (last is null)
        {
            return null;
        }
        var cumulative = 0.0;
        foreach (var arm in deployment.arms)
        {
            if (arm.shadow || arm.traffic_weight <= 0)
            {
                continue;
            }
            cumulative += arm.traffic_weight;
            if (bucket < (long)Math.Floor(cumulative / total * Buckets))
            {
                return arm;
            }
        }
        // The same summation order makes cumulative == total at the end; this only guards rounding.
        return last;
    }

    /// <summary>The shadow arms: scored and logged on every request, never served.</summary>
    public static IReadOnlyList<DeploymentArm> Shadows(Deployment deployment) =>
        deployment.arms.Where(arm => arm.shadow).ToList();
}
