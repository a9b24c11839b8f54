using MlOps.Stack.SchemaRegistry;
using Xunit;
using static MlOps.UnitTests.SchemaRegistry.PersonSchemas;

namespace MlOps.UnitTests.SchemaRegistry;

public sealed class SchemaStoreTests
{
    private readonly SchemaStore store = new();

    [Fact]
    public void SameSchemaInDifferentSubjectsGetsTheSameId()
    {
        var first = store.Register("a-value", NameOnly);
        var second = store.Register("b-value", NameOnly);

        Assert.Equal(first, second);
        Assert.Equal(1, store.GetVersion("b-value", null).Version);
    }

    [Fact]
    public void WhitespaceDifferencesMapToTheSameId()
    {
        var id = store.Register("a-value", NameOnly);
        var spaced = NameOnly.Replace(",", ",\n   ", StringComparison.Ordinal).Replace(":", " : ", StringComparison.Ordinal);

        Assert.Equal(id, store.Register("b-value", spaced));
        Assert.Equal(1, store.Lookup("a-value", spaced).Version);
    }

    [Fact]
    public void DifferentSchemasGetDifferentIds()
    {
        Assert.NotEqual(store.Register("a-value", NameOnly), store.Register("a-value", WithAgeDefault));
    }

    [Fact]
    public void ReRegisteringAnIdenticalSchemaReturnsTheExistingIdWithoutANewVersion()
    {
        var id = store.Register("a-value", NameOnly);
        store.Register("a-value", WithAgeDefault);

        Assert.Equal(id, store.Register("a-value", NameOnly));
        Assert.Equal([1, 2], store.GetVersionNumbers("a-value"));
    }

    [Fact]
    public void IncompatibleRegistrationIsRejectedWith409NamingTheFieldAndAddsNoVersion()
    {
        store.Register("a-value", NameOnly);

        var error = Assert.Throws<SchemaRegistryException>(() => store.Register("a-value", WithAgeRequired));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(409, error.ErrorCode);
        Assert.StartsWith("Schema being registered is incompatible with an earlier schema for subject \"a-value\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("'age'", error.Message, StringComparison.Ordinal);
        Assert.Equal([1], store.GetVersionNumbers("a-value"));
    }

    [Fact]
    public void SubjectLevelNoneOverridesTheGlobalBackwardLevel()
    {
        store.Register("a-value", NameOnly);
        store.Config.SetSubjectLevel("a-value", CompatibilityLevel.None);

        store.Register("a-value", WithAgeRequired);

        Assert.Equal(CompatibilityLevel.Backward, store.Config.Global);
        Assert.Equal([1, 2], store.GetVersionNumbers("a-value"));
    }

    [Fact]
    public void GlobalLevelAppliesToSubjectsWithoutTheirOwnLevel()
    {
        store.Register("a-value", NameOnly);
        store.Config.Global = CompatibilityLevel.None;

        store.Register("a-value", WithAgeRequired);

        Assert.Null(store.Config.GetSubjectLevel("a-value"));
        Assert.Equal(2, store.GetVersion("a-value", null).Version);
    }

    [Fact]
    public void LookupReturnsTheVersionHoldingTheSchema()
    {
        store.Register("a-value", NameOnly);
        var id = store.Register("a-value", WithAgeDefault);

        var found = store.Lookup("a-value", WithAgeDefault);

        Assert.Equal(new SubjectVersion("a-value", 2, id, Parse(WithAgeDefault).ToString()), found);
    }

    [Fact]
    public void LookupDistinguishesUnknownSchemaFromUnknownSubject()
    {
        store.Register("a-value", NameOnly);

        Assert.Equal(40403, Assert.Throws<SchemaRegistryException>(() => store.Lookup("a-value", WithAgeDefault)).ErrorCode);
        Assert.Equal(40401, Assert.Throws<SchemaRegistryException>(() => store.Lookup("missing", NameOnly)).ErrorCode);
    }

    [Fact]
    public void DeletingASubjectRemovesItsVersionsButItsSchemaIdStillResolves()
    {
        var id = store.Register("a-value", NameOnly);

        Assert.Equal([1], store.DeleteSubject("a-value"));

        Assert.DoesNotContain("a-value", store.GetSubjects());
        Assert.Equal(40401, Assert.Throws<SchemaRegistryException>(() => store.GetVersionNumbers("a-value")).ErrorCode);
        Assert.Equal(Parse(NameOnly).ToString(), store.GetSchemaById(id));
        // A fresh subject: the old version no longer constrains what may be registered.
        store.Register("a-value", WithAgeRequired);
    }

    [Fact]
    public void DeletingAVersionRemovesOnlyThatVersion()
    {
        store.Register("a-value", NameOnly);
        store.Register("a-value", WithAgeDefault);

        Assert.Equal(1, store.DeleteVersion("a-value", 1));

        Assert.Equal([2], store.GetVersionNumbers("a-value"));
        Assert.Equal(40402, Assert.Throws<SchemaRegistryException>(() => store.GetVersion("a-value", 1)).ErrorCode);
    }

    [Fact]
    public void InvalidAvroIsRejectedWith42201CarryingTheParserMessage()
    {
        var error = Assert.Throws<SchemaRegistryException>(() => store.Register("a-value", """{"type":"record","name":"P"}"""));

        Assert.Equal((422, 42201), (error.StatusCode, error.ErrorCode));
        Assert.Contains("fields", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"type":"recrd"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public void UnparsableSchemaTextIsRejectedWith42201(string schema)
    {
        var error = Assert.Throws<SchemaRegistryException>(() => store.Register("a-value", schema));

        Assert.Equal((422, 42201), (error.StatusCode, error.ErrorCode));
    }

    [Fact]
    public void NonAvroSchemaTypeIsRejectedWith42201SayingOnlyAvroIsSupported()
    {
        var error = Assert.Throws<SchemaRegistryException>(() => store.Register("a-value", "syntax = \"proto3\";", "PROTOBUF"));

        Assert.Equal(42201, error.ErrorCode);
        Assert.Contains("only AVRO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcurrentRegistrationsOfOneSchemaShareOneId()
    {
        var ids = new int[64];

        Parallel.For(0, ids.Length, i => ids[i] = store.Register($"subject-{i % 8}", NameOnly));

        Assert.Single(ids.Distinct());
        Assert.Equal(8, store.GetSubjects().Count);
        Assert.All(store.GetSubjects(), s => Assert.Equal([1], store.GetVersionNumbers(s)));
    }

    [Theory]
    [InlineData("BACKWARD_TRANSITIVE", CompatibilityLevel.BackwardTransitive)]
    [InlineData("full", CompatibilityLevel.Full)]
    [InlineData("NONE", CompatibilityLevel.None)]
    public void CompatibilityLevelNamesRoundTrip(string name, CompatibilityLevel expected)
    {
        Assert.True(CompatibilityLevelNames.TryParse(name, out var level));
        Assert.Equal(expected, level);
        Assert.Equal(name.ToUpperInvariant(), CompatibilityLevelNames.ToWireName(level));
    }

    [Fact]
    public void UnknownCompatibilityLevelNameIsRejected()
    {
        Assert.False(CompatibilityLevelNames.TryParse("SIDEWAYS", out _));
    }
}
