using MlOps.Contracts;
using MlOps.Models.Rules;
using static MlOps.UnitTests.Rules.RuleSets;

namespace MlOps.UnitTests.Rules;

public sealed class RuleSetDiffTests
{
    private static OutputRule Cap(double max) => new() { name = "cap", kind = "clamp", min = 0.02, max = max };

    private static OutputRule Unsure() => new() { name = "unsure", kind = "abstain", threshold = 0.6 };

    [Fact]
    public void Identical_sets_have_no_differences()
    {
        Assert.Empty(RuleSetDiff.Between(Of(Cap(0.98), Unsure()), Of(Cap(0.98), Unsure())));
    }

    [Fact]
    public void Added_removed_and_changed_rules_are_listed()
    {
        var hawaii = new OutputRule { name = "hawaii", kind = "match", attribute = "event.destination", pattern = "^(HNL|OGG)$", probability = 0.5 };
        var old = Of(Cap(0.99), Unsure());
        var @new = Of(Cap(0.98), hawaii);

        Assert.Equal(
        [
            "- rule 'unsure' (abstain threshold=0.6)",
            "~ rule 'cap': max 0.99 -> 0.98",
            "+ rule 'hawaii' (match attribute=event.destination pattern=^(HNL|OGG)$ probability=0.5)",
        ], RuleSetDiff.Between(old, @new));
    }

    [Fact]
    public void A_field_set_or_cleared_shows_none()
    {
        var withDecision = Unsure();
        var vip = new OutputRule { name = "vip", kind = "override", tenants = ["a"], decision = "review" };
        var vip2 = new OutputRule { name = "vip", kind = "override", tenants = ["a", "b"], probability = 0.1 };
        Assert.Equal(
        [
            "~ rule 'vip': tenants [a] -> [a, b]",
            "~ rule 'vip': probability (none) -> 0.1",
            "~ rule 'vip': decision review -> (none)",
        ], RuleSetDiff.Between(Of(withDecision, vip), Of(withDecision, vip2)));
    }

    [Fact]
    public void A_reordering_is_reported()
    {
        Assert.Equal(["~ order: cap, unsure -> unsure, cap"], RuleSetDiff.Between(Of(Cap(0.98), Unsure()), Of(Unsure(), Cap(0.98))));
    }

    [Fact]
    public void A_description_change_is_reported()
    {
        var old = Of(Cap(0.98));
        var @new = Of(Cap(0.98));
        @new.description = "tighter";
        Assert.Equal(["~ description: (none) -> 'tighter'"], RuleSetDiff.Between(old, @new));
    }
}
