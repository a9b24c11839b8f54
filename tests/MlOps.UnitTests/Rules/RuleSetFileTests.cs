using MlOps.Models.Rules;

namespace MlOps.UnitTests.Rules;

public sealed class RuleSetFileTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc);

    private const string Example = """
        rule_set: delay-rules
        version: "2"
        description: cap the model, protect key customers
        rules:
          - { name: cap, kind: clamp, min: 0.02, max: 0.98 }
          - { name: vip-review, kind: override, tenants: [airline-vip], decision: review }
          - { name: unsure, kind: abstain, threshold: 0.6 }
          - { name: hawaii, kind: match, attribute: event.destination, pattern: "^(HNL|OGG)$", probability: 0.5 }
        """;

    [Fact]
    public void The_example_file_loads_and_compiles()
    {
        var set = RuleSetFile.Parse(Example, "r.yaml", Now, "ana");

        Assert.Equal(("delay-rules", "2", "ana", Now), (set.name, set.version, set.created_by, set.created_at));
        Assert.Equal(["cap", "vip-review", "unsure", "hawaii"], set.rules.Select(r => r.name));
        Assert.Equal((0.02, 0.98), (set.rules[0].min, set.rules[0].max));
        Assert.Equal(["airline-vip"], set.rules[1].tenants);
        Assert.Equal("^(HNL|OGG)$", set.rules[3].pattern);
        Assert.Equal("delay-rules:2", CompiledRuleSet.Compile(set).Key);
    }

    [Fact]
    public void Errors_name_file_line_column_and_field()
    {
        const string yaml = """
            rule_set: delay-rules
            version: "2"
            rules:
              - { name: cap, kind: clamp, min: 0.9, max: 0.1 }
              - { name: unsure, kind: abstain }
              - { name: vip, kind: override, tenants: [x], probability: lots }
              - { name: typo, kind: clamp, maximum: 0.5 }
              - { name: re, kind: match, attribute: event.origin, pattern: "([", decision: review }
            """;

        var error = Assert.Throws<RuleSetFileException>(() => RuleSetFile.Parse(yaml, "r.yaml", Now));
        var lines = error.Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(lines, l => l.StartsWith("r.yaml:4:", StringComparison.Ordinal) && l.Contains("rules[0].min: 0.9 is greater than max 0.1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("r.yaml:5:", StringComparison.Ordinal) && l.Contains("rules[1].threshold:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("r.yaml:6:", StringComparison.Ordinal) && l.Contains("rules[2].probability: 'lots' is not a number", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("r.yaml:7:", StringComparison.Ordinal) && l.Contains("rules[3].maximum: unknown field", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("r.yaml:8:", StringComparison.Ordinal) && l.Contains("rules[4].pattern: is not a valid regular expression", StringComparison.Ordinal));
        // 'lots' is reported once, not also as a missing probability.
        Assert.Single(lines, l => l.Contains("rules[2].probability", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_name_version_and_rules_are_reported_together()
    {
        var error = Assert.Throws<RuleSetFileException>(() => RuleSetFile.Parse("description: x\n", "r.yaml", Now));
        Assert.Equal(["rule_set", "rules", "version"], error.Errors.Select(e => e.Field).Order());
    }

    [Fact]
    public void Malformed_yaml_is_located()
    {
        var error = Assert.Throws<RuleSetFileException>(() => RuleSetFile.Parse("rule_set: a\nrules: [\n", "bad.yaml", Now));
        Assert.Equal("bad.yaml", error.Errors[0].File);
        Assert.Equal("(yaml)", error.Errors[0].Field);
    }
}
