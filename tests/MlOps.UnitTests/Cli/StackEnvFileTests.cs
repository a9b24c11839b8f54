using MlOps.Stack;

namespace MlOps.UnitTests.Cli;

public sealed class StackEnvFileTests
{
    [Fact]
    public void Endpoints_round_trip_and_services_can_add_their_urls()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "stack.env");
        var endpoints = new StackEndpoints("127.0.0.1:1,127.0.0.1:2", "http://127.0.0.1:3", "redis://127.0.0.1:4");

        StackEnvFile.Write(path, endpoints.ToVariables());
        StackEnvFile.Merge(path, new Dictionary<string, string> { ["INGESTION_URL"] = "http://127.0.0.1:5" });

        Assert.Equal(endpoints, StackEndpoints.FromEnvFile(path));
        Assert.Equal("http://127.0.0.1:5", StackEnvFile.Read(path)["INGESTION_URL"]);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_missing_file_says_how_to_start_the_stack()
    {
        var error = Assert.Throws<FileNotFoundException>(() => StackEndpoints.FromEnvFile("/nonexistent/stack.env"));

        Assert.Contains("./mlops up --detach", error.Message, StringComparison.Ordinal);
    }
}
