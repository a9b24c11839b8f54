namespace MlOps.IntegrationTests.Ingestion;

/// <summary>A small spec with one contract whose every rule the ingestion tests exercise.</summary>
internal static class TestSpec
{
    public const string Yaml = """
        spec: it-flights
        version: "1"
        contracts:
          flight_departure:
            version: "7"
            max_attributes: 8
            max_event_bytes: 4096
            max_clock_skew: 5m
            max_age: 30d
            allow_unknown_attributes: false
            quality:
              window: 1000
              max_quarantine_rate: 0.5
            attributes:
              origin:      { type: string, required: true, pattern: "^[A-Z]{3}$" }
              destination: { type: string, required: true, pattern: "^[A-Z]{3}$" }
              distance:    { type: double, required: true, min: 0, max: 6000 }
              dep_hour:    { type: long, required: true, min: 0, max: 23 }
        """;

    public static string WriteTemp()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mlops-spec-").FullName, "spec.yaml");
        File.WriteAllText(path, Yaml);
        return path;
    }
}
