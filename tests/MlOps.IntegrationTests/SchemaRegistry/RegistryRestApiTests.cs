using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Stack.SchemaRegistry;
using Xunit;
using static MlOps.IntegrationTests.SchemaRegistry.RegistrySchemas;

namespace MlOps.IntegrationTests.SchemaRegistry;

/// <summary>The REST surface as curl and other non-.NET clients see it: status codes, error_code values and bodies.</summary>
public sealed class RegistryRestApiTests(SchemaRegistryServerFixture fixture)
    : IClassFixture<SchemaRegistryServerFixture>, IDisposable
{
    private const string RegistryJson = "application/vnd.schemaregistry.v1+json";
    private readonly HttpClient http = new() { BaseAddress = fixture.Server.Url, Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Ct => timeout.Token;

    public void Dispose()
    {
        http.Dispose();
        timeout.Dispose();
    }

    [Fact]
    public void ServerListensOnLoopbackOnTheChosenFreePort()
    {
        Assert.Equal("127.0.0.1", fixture.Server.Url.Host);
        Assert.NotEqual(0, fixture.Server.Url.Port);
    }

    [Fact]
    public async Task SecondIncompatibleRegistrationGets409NamingTheField()
    {
        var subject = Subject();
        var (status, first) = await SendAsync(HttpMethod.Post, $"subjects/{subject}/versions", SchemaBody(PersonV1));
        Assert.Equal(HttpStatusCode.OK, status);

        var (conflict, body) = await SendAsync(HttpMethod.Post, $"subjects/{subject}/versions", SchemaBody(PersonV2Incompatible));

        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal(409, body["error_code"]!.GetValue<int>());
        var message = body["message"]!.GetValue<string>();
        Assert.StartsWith($"Schema being registered is incompatible with an earlier schema for subject \"{subject}\"", message, StringComparison.Ordinal);
        Assert.Contains("'age'", message, StringComparison.Ordinal);
        Assert.True(first["id"]!.GetValue<int>() > 0);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/vnd.schemaregistry.v1+json")]
    [InlineData("application/vnd.schemaregistry+json")]
    public async Task RegistrationAcceptsEveryConfluentRequestContentType(string contentType)
    {
        using var content = new StringContent(SchemaBody(PersonV1).ToJsonString(), Encoding.UTF8, contentType);
        using var response = await http.PostAsync(new Uri($"subjects/{Subject()}/versions", UriKind.Relative), content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RegistryJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LookupFindsAReformattedSchemaAndDistinguishesMissingSchemaFromMissingSubject()
    {
        var subject = Subject();
        var (_, registered) = await SendAsync(HttpMethod.Post, $"subjects/{subject}/versions", SchemaBody(PersonV1));
        var reformatted = JsonNode.Parse(PersonV1)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

        var (status, found) = await SendAsync(HttpMethod.Post, $"subjects/{subject}", SchemaBody(reformatted));
        var (_, missingSchema) = await SendAsync(HttpMethod.Post, $"subjects/{subject}", SchemaBody(PersonV2WithDefault));
        var (_, missingSubject) = await SendAsync(HttpMethod.Post, $"subjects/{Subject()}", SchemaBody(PersonV1));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(subject, found["subject"]!.GetValue<string>());
        Assert.Equal(registered["id"]!.GetValue<int>(), found["id"]!.GetValue<int>());
        Assert.Equal(1, found["version"]!.GetValue<int>());
        Assert.Equal(40403, missingSchema["error_code"]!.GetValue<int>());
        Assert.Equal(40401, missingSubject["error_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task SubjectConfigIsSetReadAndDeletedAndFallsBackToGlobalOnlyWhenAsked()
    {
        var subject = Subject();

        var (putStatus, put) = await SendAsync(HttpMethod.Put, $"config/{subject}", new JsonObject { ["compatibility"] = "NONE" });
        var (_, read) = await SendAsync(HttpMethod.Get, $"config/{subject}");
        var (deleteStatus, _) = await SendAsync(HttpMethod.Delete, $"config/{subject}");
        var (goneStatus, gone) = await SendAsync(HttpMethod.Get, $"config/{subject}");
        var (_, fallback) = await SendAsync(HttpMethod.Get, $"config/{subject}?defaultToGlobal=true");

        Assert.Equal(HttpStatusCode.OK, putStatus);
        Assert.Equal("NONE", put["compatibility"]!.GetValue<string>());
        Assert.Equal("NONE", read["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, deleteStatus);
        Assert.Equal(HttpStatusCode.NotFound, goneStatus);
        Assert.Equal(40408, gone["error_code"]!.GetValue<int>());
        Assert.Equal("BACKWARD", fallback["compatibilityLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task GlobalConfigChangesTheLevelNewRegistrationsAreCheckedAgainst()
    {
        // Its own server: the global level is shared state the other tests rely on.
        await using var server = await SchemaRegistryServer.StartAsync(0, Ct);
        using var own = new HttpClient { BaseAddress = server.Url };
        await SendAsync(own, HttpMethod.Post, "subjects/s-value/versions", SchemaBody(PersonV1));

        var (_, put) = await SendAsync(own, HttpMethod.Put, "config", new JsonObject { ["compatibility"] = "NONE" });
        var (_, read) = await SendAsync(own, HttpMethod.Get, "config");
        var (status, _) = await SendAsync(own, HttpMethod.Post, "subjects/s-value/versions", SchemaBody(PersonV2Incompatible));

        Assert.Equal("NONE", put["compatibility"]!.GetValue<string>());
        Assert.Equal("NONE", read["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task InvalidCompatibilityLevelIsRejectedWith42203()
    {
        var (status, body) = await SendAsync(HttpMethod.Put, $"config/{Subject()}", new JsonObject { ["compatibility"] = "SIDEWAYS" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(42203, body["error_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task NonAvroSchemaTypeAndInvalidAvroAreRejectedWith42201()
    {
        var protobuf = SchemaBody("syntax = \"proto3\";");
        protobuf["schemaType"] = "PROTOBUF";

        var (typeStatus, typeError) = await SendAsync(HttpMethod.Post, $"subjects/{Subject()}/versions", protobuf);
        var (_, avroError) = await SendAsync(HttpMethod.Post, $"subjects/{Subject()}/versions", SchemaBody("""{"type":"record"}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, typeStatus);
        Assert.Equal(42201, typeError["error_code"]!.GetValue<int>());
        Assert.Contains("AVRO", typeError["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(42201, avroError["error_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task VersionsAreListedFetchedAndDeleted()
    {
        var subject = Subject();
        await SendAsync(HttpMethod.Post, $"subjects/{subject}/versions", SchemaBody(PersonV1));
        await SendAsync(HttpMethod.Post, $"subjects/{subject}/versions", SchemaBody(PersonV2WithDefault));

        var (_, versions) = await SendAsync(HttpMethod.Get, $"subjects/{subject}/versions");
        var (_, latest) = await SendAsync(HttpMethod.Get, $"subjects/{subject}/versions/latest");
        var (_, deleted) = await SendAsync(HttpMethod.Delete, $"subjects/{subject}");
        var (goneStatus, _) = await SendAsync(HttpMethod.Get, $"subjects/{subject}/versions");

        Assert.Equal("[1,2]", versions.ToJsonString());
        Assert.Equal(2, latest["version"]!.GetValue<int>());
        Assert.Equal("[1,2]", deleted.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, goneStatus);
    }

    private static string Subject() => $"{SchemaRegistryServerFixture.UniqueTopic()}-value";

    private static JsonObject SchemaBody(string schema) => new() { ["schema"] = schema };

    private Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null) =>
        SendAsync(http, method, path, body);

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(
        HttpClient client, HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, RegistryJson);
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonNode.Parse(text) ?? throw new InvalidOperationException($"Empty body from {path}"));
    }
}
