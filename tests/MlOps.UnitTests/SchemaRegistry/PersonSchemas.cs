using Avro;

namespace MlOps.UnitTests.SchemaRegistry;

/// <summary>Versions of one record schema, built field by field so each test states only the change it is about.</summary>
internal static class PersonSchemas
{
    public const string NameOnly = """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"}]}""";

    public const string WithAgeDefault =
        """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";

    public const string WithAgeRequired =
        """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";

    public static string WithFields(params string[] fields) =>
        $$"""{"type":"record","name":"Person","namespace":"demo","fields":[{{string.Join(",", fields)}}]}""";

    public static Schema Parse(string json) => Schema.Parse(json);

    public static IReadOnlyList<(int Version, Schema Schema)> History(params string[] versions) =>
        [.. versions.Select((json, i) => (i + 1, Schema.Parse(json)))];
}
