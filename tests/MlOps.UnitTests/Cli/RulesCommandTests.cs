using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.Contracts;
using static MlOps.UnitTests.Rules.RuleSets;

namespace MlOps.UnitTests.Cli;

public sealed class RulesCommandTests
{
    private static OutputRule Cap(double max) => new() { name = "cap", kind = "clamp", max = max };

    [Fact]
    public void A_new_version_is_published()
    {
        Assert.Null(RulesCommand.CheckVersion(null, Of(Cap(0.9))));
    }

    [Fact]
    public void Republishing_the_same_rules_is_a_no_op()
    {
        Assert.Contains("nothing to do", RulesCommand.CheckVersion(Of(Cap(0.9)), Of(Cap(0.9))), StringComparison.Ordinal);
    }

    [Fact]
    public void Different_rules_under_a_published_version_are_refused_with_the_changes()
    {
        var error = Assert.Throws<CliException>(() => RulesCommand.CheckVersion(Of(Cap(0.9)), Of(Cap(0.8))));
        Assert.Contains("delay-rules:2 is already published", error.Message, StringComparison.Ordinal);
        Assert.Contains("~ rule 'cap': max 0.9 -> 0.8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rules/delay.yaml", true)]
    [InlineData("delay.YML", true)]
    [InlineData("delay-rules:2", false)]
    public void Diff_arguments_are_files_or_published_versions(string reference, bool isFile)
    {
        Assert.Equal(isFile, RulesCommand.IsFile(reference));
    }
}
