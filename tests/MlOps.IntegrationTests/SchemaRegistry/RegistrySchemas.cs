namespace MlOps.IntegrationTests.SchemaRegistry;

/// <summary>Two versions of a record: v2 adds a field with a default (compatible) and one without (incompatible).</summary>
internal static class RegistrySchemas
{
    public const string PersonV1 = """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"}]}""";

    public const string PersonV2WithDefault =
        """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";

    public const string PersonV2Incompatible =
        """{"type":"record","name":"Person","namespace":"demo","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";
}
