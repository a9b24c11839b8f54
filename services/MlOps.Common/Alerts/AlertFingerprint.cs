using System.Security.Cryptography;
using System.Text;

namespace MlOps.Common.Alerts;

/// <summary>
/// An alert's identity, as in Alertmanager: a hash of its sorted label set, so the same condition always maps to
/// the same fingerprint (and Kafka key) whichever service raises it and however the labels were ordered.
/// </summary>
public static class AlertFingerprint
{
    public static string Compute(IReadOnlyDictionary<string, string> labels)
    {
        var canonical = new StringBuilder();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            // Separators that cannot occur in UTF-8 text keep {"a":"b,c"} and {"a":"b","c":""} apart.
            canonical.Append(key).Append('\u0000').Append(value).Append('\u0001');
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
