using System.Net;
using System.Text.Json;

namespace MlOps.IntegrationTests.Hosting;

/// <summary>The status code and JSON body of a <c>/health/*</c> answer.</summary>
internal sealed record HealthResponse(HttpStatusCode StatusCode, string Body)
{
    /// <summary>The named check's status ("Healthy", "Unhealthy", ...), or null when the body does not list it.</summary>
    public string? CheckStatus(string name) => FindCheck(name)?.GetProperty("status").GetString();

    public string? CheckDescription(string name) => FindCheck(name)?.GetProperty("description").GetString();

    public override string ToString() => $"{(int)StatusCode} {Body}";

    private JsonElement? FindCheck(string name)
    {
        using var document = JsonDocument.Parse(Body);
        foreach (var check in document.RootElement.GetProperty("checks").EnumerateArray())
        {
            if (check.GetProperty("name").GetString() == name)
            {
                return check.Clone();
            }
        }

        return null;
    }
}
