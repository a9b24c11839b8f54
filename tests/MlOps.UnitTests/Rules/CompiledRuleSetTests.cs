using System.Diagnostics;
using MlOps.Contracts;
using MlOps.Models.Rules;
using static MlOps.UnitTests.Rules.RuleSets;

namespace MlOps.UnitTests.Rules;

public sealed class CompiledRuleSetTests
{
    private static OutputRule Clamp(double? min, double? max) => new() { name = "cap", kind = "clamp", min = min, max = max };

    [Fact]
    public void Without_rules_the_decision_follows_the_probability()
    {
        var set = CompiledRuleSet.Compile(Of());
        var result = set.Apply(0.5, Input());
        Assert.Equal((0.5, "positive", 0), (result.Probability, result.Decision, result.Fired.Count));
        Assert.Equal("negative", set.Apply(0.49, Input()).Decision);
        Assert.Equal("delay-rules:2", set.Key);
    }

    [Fact]
    public void A_clamp_fires_only_when_it_moves_the_probability()
    {
        var set = CompiledRuleSet.Compile(Of(Clamp(0.02, 0.98)));

        var high = set.Apply(0.999, Input());
        Assert.Equal(0.98, high.Probability);
        Assert.Equal(["delay-rules:2/cap"], high.Fired);

        var inside = set.Apply(0.4, Input());
        Assert.Equal(0.4, inside.Probability);
        Assert.Empty(inside.Fired);
    }

    [Fact]
    public void A_clamp_recomputes_the_decision()
    {
        var set = CompiledRuleSet.Compile(Of(Clamp(null, 0.3)));
        var result = set.Apply(0.9, Input());
        Assert.Equal((0.3, "negative"), (result.Probability, result.Decision));
    }

    [Fact]
    public void An_override_applies_to_listed_tenants_and_entities_only()
    {
        var vip = Rule("vip", "override");
        vip.tenants = ["airline-vip"];
        vip.entities = ["SFO"];
        vip.decision = "review";
        var set = CompiledRuleSet.Compile(Of(vip));

        Assert.Equal("review", set.Apply(0.9, Input(tenant: "airline-vip")).Decision);
        Assert.Equal("review", set.Apply(0.9, Input(entity: "SFO")).Decision);
        var other = set.Apply(0.9, Input(tenant: "airline", entity: "LAX"));
        Assert.Equal(("positive", 0), (other.Decision, other.Fired.Count));
    }

    [Fact]
    public void An_override_with_only_a_probability_recomputes_the_decision()
    {
        var rule = Rule("zero", "override");
        rule.tenants = ["t"];
        rule.probability = 0.1;
        var result = CompiledRuleSet.Compile(Of(rule)).Apply(0.9, Input());
        Assert.Equal((0.1, "negative", 1), (result.Probability, result.Decision, result.Fired.Count));
    }

    [Theory]
    [InlineData(0.55, true)]
    [InlineData(0.45, true)]
    [InlineData(0.6, false)]
    [InlineData(0.2, false)]
    public void Abstain_fires_when_confidence_is_below_the_threshold(double p, bool abstains)
    {
        var rule = Rule("unsure", "abstain");
        rule.threshold = 0.6;
        var result = CompiledRuleSet.Compile(Of(rule)).Apply(p, Input());
        Assert.Equal(abstains, result.Decision == "abstain");
        Assert.Equal(abstains ? 1 : 0, result.Fired.Count);
        Assert.Equal(p, result.Probability);
    }

    [Fact]
    public void A_later_override_replaces_an_abstain_but_a_later_probability_change_keeps_it()
    {
        var unsure = Rule("unsure", "abstain");
        unsure.threshold = 0.9;
        var nudge = Rule("nudge", "override");
        nudge.tenants = ["t"];
        nudge.probability = 0.52;
        var vip = Rule("vip", "override");
        vip.tenants = ["vip"];
        vip.decision = "positive";
        var set = CompiledRuleSet.Compile(Of(unsure, nudge, vip));

        var plain = set.Apply(0.7, Input(tenant: "t"));
        Assert.Equal((0.52, "abstain"), (plain.Probability, plain.Decision));
        Assert.Equal(["delay-rules:2/unsure", "delay-rules:2/nudge"], plain.Fired);

        var critical = set.Apply(0.7, Input(tenant: "vip"));
        Assert.Equal("positive", critical.Decision);
        Assert.Equal(["delay-rules:2/unsure", "delay-rules:2/vip"], critical.Fired);
    }

    [Fact]
    public void Rules_apply_in_order_each_seeing_the_previous_result()
    {
        var cap = Clamp(null, 0.8);
        var unsure = Rule("unsure", "abstain");
        unsure.threshold = 0.85;
        var result = CompiledRuleSet.Compile(Of(cap, unsure)).Apply(0.95, Input());
        Assert.Equal((0.8, "abstain"), (result.Probability, result.Decision));
        Assert.Equal(["delay-rules:2/cap", "delay-rules:2/unsure"], result.Fired);

        // Reversed, the abstain sees 0.95 and does not fire.
        var reversed = CompiledRuleSet.Compile(Of(unsure, cap)).Apply(0.95, Input());
        Assert.Equal((0.8, "positive"), (reversed.Probability, reversed.Decision));
        Assert.Equal(["delay-rules:2/cap"], reversed.Fired);
    }

    [Fact]
    public void A_match_on_a_pattern_sets_the_probability()
    {
        var rule = Rule("hawaii", "match");
        rule.attribute = "event.destination";
        rule.pattern = "^(HNL|OGG)$";
        rule.probability = 0.5;
        var set = CompiledRuleSet.Compile(Of(rule));

        Assert.Equal(0.5, set.Apply(0.9, Input(inputs: ("event.destination", "OGG"))).Probability);
        Assert.Equal(0.9, set.Apply(0.9, Input(inputs: ("event.destination", "OGGX"))).Probability);
        Assert.Empty(set.Apply(0.9, Input()).Fired);
        Assert.Empty(set.Apply(0.9, Input(inputs: ("event.destination", null))).Fired);
    }

    [Theory]
    [InlineData(0.1, "0.1", true)]
    [InlineData(2500L, "2500", true)]
    [InlineData(true, "true", true)]
    [InlineData(0.30000000000000004, "0.3", false)]
    public void A_match_on_equals_compares_invariant_text(object value, string equals, bool fires)
    {
        var rule = Rule("exact", "match");
        rule.attribute = "route.distance";
        rule.equals = equals;
        rule.decision = "review";
        var result = CompiledRuleSet.Compile(Of(rule)).Apply(0.9, Input(inputs: ("route.distance", value)));
        Assert.Equal(fires ? "review" : "positive", result.Decision);
    }

    [Fact]
    public void A_catastrophic_pattern_is_decided_in_linear_time()
    {
        var rule = Rule("evil", "match");
        rule.attribute = "event.origin";
        rule.pattern = "^(a+)+$";
        rule.decision = "review";
        var set = CompiledRuleSet.Compile(Of(rule));

        var watch = Stopwatch.StartNew();
        var result = set.Apply(0.9, Input(inputs: ("event.origin", new string('a', 5000) + "b")));
        watch.Stop();

        Assert.Empty(result.Fired);
        Assert.Equal("positive", result.Decision);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal("review", set.Apply(0.9, Input(inputs: ("event.origin", new string('a', 5000)))).Decision); // and a match still fires
    }

    [Fact]
    public void Compile_reports_every_problem_with_its_field()
    {
        var unknown = Rule("a", "boost");
        var clamp = Clamp(0.9, 0.1);
        clamp.name = "a";
        var abstain = Rule("c", "abstain");
        var match = Rule("d", "match");
        match.pattern = "([";
        var override_ = Rule("e", "override");
        override_.probability = 1.5;
        var emptyClamp = Rule("", "clamp");
        var set = Of(unknown, clamp, abstain, match, override_, emptyClamp);
        set.name = "";
        set.version = " ";

        var error = Assert.Throws<RuleSetException>(() => CompiledRuleSet.Compile(set));

        string[] expected =
        [
            "name:", "version:", "rules[0].kind:", "rules[1].name:", "rules[1].min:", "rules[2].threshold:",
            "rules[3].attribute:", "rules[3].pattern:", "rules[3].probability:", "rules[4].probability:", "rules[4].tenants:",
            "rules[5].name:", "rules[5].min:",
        ];
        foreach (var field in expected)
        {
            Assert.Contains(error.Problems, p => p.StartsWith(field, StringComparison.Ordinal));
        }
        Assert.Contains(error.Problems, p => p.Contains("outside [0, 1]", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("greater than max", StringComparison.Ordinal));
    }

    [Fact]
    public void A_match_needs_exactly_one_of_equals_and_pattern()
    {
        var rule = Rule("both", "match");
        rule.attribute = "event.origin";
        rule.equals = "SFO";
        rule.pattern = "SFO";
        rule.decision = "review";
        var error = Assert.Throws<RuleSetException>(() => CompiledRuleSet.Compile(Of(rule)));
        Assert.Equal(["rules[0].equals: a match rule needs exactly one of equals or pattern"], error.Problems);
    }
}
