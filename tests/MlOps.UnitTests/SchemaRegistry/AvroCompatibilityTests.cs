using MlOps.Stack.SchemaRegistry;
using Xunit;
using static MlOps.UnitTests.SchemaRegistry.PersonSchemas;

namespace MlOps.UnitTests.SchemaRegistry;

public sealed class AvroCompatibilityTests
{
    [Fact]
    public void AddingFieldWithDefaultIsBackwardCompatible()
    {
        var result = AvroCompatibility.Check(Parse(WithAgeDefault), History(NameOnly), CompatibilityLevel.Backward);

        Assert.True(result.IsCompatible, string.Join("; ", result.Messages));
    }

    [Fact]
    public void AddingFieldWithoutDefaultIsNotBackwardCompatibleAndTheReasonNamesTheField()
    {
        var result = AvroCompatibility.Check(Parse(WithAgeRequired), History(NameOnly), CompatibilityLevel.Backward);

        Assert.False(result.IsCompatible);
        var message = Assert.Single(result.Messages);
        Assert.Contains("'age'", message, StringComparison.Ordinal);
        Assert.Contains("no default value", message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemovingFieldIsBackwardCompatible()
    {
        var result = AvroCompatibility.Check(Parse(NameOnly), History(WithAgeRequired), CompatibilityLevel.Backward);

        Assert.True(result.IsCompatible, string.Join("; ", result.Messages));
    }

    [Fact]
    public void RemovingRequiredFieldIsNotForwardCompatibleBecauseOldReadersNeedIt()
    {
        var result = AvroCompatibility.Check(Parse(NameOnly), History(WithAgeRequired), CompatibilityLevel.Forward);

        Assert.False(result.IsCompatible);
        Assert.Contains("'age'", Assert.Single(result.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void ChangingFieldTypeIsNotBackwardCompatibleAndTheReasonNamesFieldAndBothTypes()
    {
        var old = WithFields("""{"name":"name","type":"string"}""", """{"name":"score","type":"string"}""");
        var changed = WithFields("""{"name":"name","type":"string"}""", """{"name":"score","type":"int"}""");

        var result = AvroCompatibility.Check(Parse(changed), History(old), CompatibilityLevel.Backward);

        Assert.False(result.IsCompatible);
        var message = Assert.Single(result.Messages);
        Assert.Contains("TYPE_MISMATCH", message, StringComparison.Ordinal);
        Assert.Contains("'score'", message, StringComparison.Ordinal);
        Assert.Contains("'string'", message, StringComparison.Ordinal);
        Assert.Contains("'int'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PromotingIntToLongIsBackwardCompatibleButNotForward()
    {
        var asInt = WithFields("""{"name":"count","type":"int"}""");
        var asLong = WithFields("""{"name":"count","type":"long"}""");

        Assert.True(AvroCompatibility.Check(Parse(asLong), History(asInt), CompatibilityLevel.Backward).IsCompatible);
        Assert.False(AvroCompatibility.Check(Parse(asLong), History(asInt), CompatibilityLevel.Forward).IsCompatible);
    }

    [Fact]
    public void NestedFieldChangeIsReportedWithItsDottedPath()
    {
        static string WithZip(string type) => WithFields(
            $$$"""{"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"zip","type":"{{{type}}}"}]}}""");

        var result = AvroCompatibility.Check(Parse(WithZip("int")), History(WithZip("string")), CompatibilityLevel.Backward);

        Assert.Contains("'address.zip'", Assert.Single(result.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void RemovedEnumSymbolIsNamedWhenTheOldSchemaUsedIt()
    {
        static string WithColors(string symbols) => WithFields(
            $$$"""{"name":"color","type":{"type":"enum","name":"Color","symbols":[{{{symbols}}}]}}""");

        var result = AvroCompatibility.Check(
            Parse(WithColors("\"RED\"")), History(WithColors("\"RED\",\"BLUE\"")), CompatibilityLevel.Backward);

        Assert.False(result.IsCompatible);
        Assert.Contains("BLUE", Assert.Single(result.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void RemovedEnumSymbolIsAcceptedWhenTheNewEnumHasADefault()
    {
        var old = WithFields("""{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","BLUE"]}}""");
        var withDefault = WithFields("""{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED"],"default":"RED"}}""");

        var result = AvroCompatibility.Check(Parse(withDefault), History(old), CompatibilityLevel.Backward);

        Assert.True(result.IsCompatible, string.Join("; ", result.Messages));
    }

    [Fact]
    public void NoneAllowsAnyChange()
    {
        var unrelated = """{"type":"record","name":"Other","fields":[{"name":"x","type":"bytes"}]}""";

        var result = AvroCompatibility.Check(Parse(unrelated), History(WithAgeRequired), CompatibilityLevel.None);

        Assert.True(result.IsCompatible);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public void BackwardChecksOnlyTheLatestVersionButTransitiveChecksEveryVersion()
    {
        // Compatible with v2 (which has age) but not with v1 (which lacks it and the candidate has no default).
        var history = History(NameOnly, WithAgeDefault);
        var candidate = Parse(WithAgeRequired);

        var latestOnly = AvroCompatibility.Check(candidate, history, CompatibilityLevel.Backward);
        var transitive = AvroCompatibility.Check(candidate, history, CompatibilityLevel.BackwardTransitive);

        Assert.True(latestOnly.IsCompatible, string.Join("; ", latestOnly.Messages));
        Assert.False(transitive.IsCompatible);
        var message = Assert.Single(transitive.Messages);
        Assert.Contains("version 1", message, StringComparison.Ordinal);
        Assert.Contains("'age'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void FullRequiresBothDirections()
    {
        Assert.True(AvroCompatibility.Check(Parse(WithAgeDefault), History(NameOnly), CompatibilityLevel.Full).IsCompatible);

        var result = AvroCompatibility.Check(Parse(WithAgeRequired), History(NameOnly), CompatibilityLevel.Full);
        Assert.False(result.IsCompatible);
        Assert.All(result.Messages, m => Assert.Contains("'age'", m, StringComparison.Ordinal));
    }

    [Fact]
    public void FirstVersionIsAlwaysCompatible()
    {
        Assert.True(AvroCompatibility.Check(Parse(WithAgeRequired), [], CompatibilityLevel.FullTransitive).IsCompatible);
    }
}
