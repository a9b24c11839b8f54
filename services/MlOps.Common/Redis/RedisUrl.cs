using System.Globalization;
using System.Text;

namespace MlOps.Common.Redis;

/// <summary>
/// Turns the <c>REDIS_URL</c> form (<c>redis://[[user]:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS)
/// into a StackExchange.Redis configuration string. Anything without a scheme is taken to already be one.
/// </summary>
public static class RedisUrl
{
    private const int DefaultPort = 6379;
    private const string Expected = "expected redis://[[user]:password@]host[:port][/db] or host:port";

    public static string ToConfiguration(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ArgumentException(Describe("it is empty"), nameof(url));
        }

        url = url.Trim();
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            return url;
        }

        // The value is never echoed back: it may hold a password.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException(Describe("it is not a well-formed URL"), nameof(url));
        }

        var tls = uri.Scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw new ArgumentException(Describe($"scheme '{uri.Scheme}' is not supported"), nameof(url)),
        };
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException(Describe("it has no host"), nameof(url));
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ArgumentException(Describe("query strings and fragments are not supported"), nameof(url));
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var config = new StringBuilder().Append(uri.Host).Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        if (AppendCredentials(config, uri.UserInfo) is { } problem)
        {
            throw new ArgumentException(Describe(problem), nameof(url));
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw new ArgumentException(Describe("the path must be a database number, e.g. /0"), nameof(url));
            }

            config.Append(",defaultDatabase=").Append(database.ToString(CultureInfo.InvariantCulture));
        }

        if (tls)
        {
            config.Append(",ssl=true");
        }

        return config.ToString();
    }

    /// <returns>Why the credentials cannot be used, or null.</returns>
    private static string? AppendCredentials(StringBuilder config, string userInfo)
    {
        if (userInfo.Length == 0)
        {
            return null;
        }

        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);

        // StackExchange.Redis splits its configuration on ',' and has no escape for it.
        if (user.Contains(',', StringComparison.Ordinal) || password.Contains(',', StringComparison.Ordinal))
        {
            return "the user name or password contains ',', which a StackExchange.Redis configuration cannot hold";
        }

        if (user.Length > 0)
        {
            config.Append(",user=").Append(user);
        }

        if (password.Length > 0)
        {
            config.Append(",password=").Append(password);
        }

        return null;
    }

    private static string Describe(string reason) =>
        $"REDIS_URL (or Redis:Configuration) is not a valid Redis URL: {reason}; {Expected}.";
}
