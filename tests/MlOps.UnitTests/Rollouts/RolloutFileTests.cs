using MlOps.Cli.Rollouts;
using MlOps.Common.Spec;

namespace MlOps.UnitTests.Rollouts;

public sealed class RolloutFileTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Reads_stages_durations_samples_and_gates()
    {
        const string yaml = """
            deployment: flights
            tenant: acme
            candidate: flight-delay:2
            stages:
              - name: shadow
                shadow: true
                min_duration: 2m
                min_samples: 200
                gates: {error_rate: 0.01, score_shift: 0.1}
              - name: canary
                traffic: 0.05
                manual: true
                gates: {fallback_rate: 0.05, latency_p99_ms: 50}
              - name: full
                traffic: 1
            """;

        var rollout = RolloutFile.Parse(yaml, "rollout.yaml", Now, "ana");

        Assert.Equal("flights", rollout.deployment);
        Assert.Equal("acme", rollout.tenant_id);
        Assert.Equal("flight-delay:2", rollout.candidate_model);
        Assert.Equal(["shadow", "canary", "full"], rollout.stages.Select(s => s.name));
        Assert.True(rollout.stages[0].shadow);
        Assert.Equal(0, rollout.stages[0].traffic_weight);
        Assert.Equal(120_000, rollout.stages[0].min_duration_ms);
        Assert.Equal(200, rollout.stages[0].min_samples);
        Assert.Equal(["error_rate", "score_shift"], rollout.stages[0].gates.Select(g => g.metric));
        Assert.True(rollout.stages[1].manual);
        Assert.Equal(50, rollout.stages[1].gates.Single(g => g.metric == "latency_p99_ms").max);
        Assert.Equal(new DateTimeOffset(Now).ToUnixTimeMilliseconds(), rollout.revision);
        Assert.Empty(rollout.approvals);
    }

    [Fact]
    public void Fields_left_out_take_their_defaults_and_the_rollout_is_stamped_with_user_and_time()
    {
        var rollout = RolloutFile.Parse("deployment: flights\ncandidate: flight-delay:2\nstages: [{name: s, shadow: true}, {name: full, traffic: 1}]", "r.yaml", Now, "ana");

        Assert.Equal((null, null, "ana", Now), (rollout.tenant_id, rollout.candidate_rules, rollout.created_by, rollout.created_at));
        Assert.All(rollout.stages, s => Assert.Equal((0L, 0L, false, 0), (s.min_duration_ms, s.min_samples, s.manual, s.gates.Count)));
        Assert.Equal([(true, 0.0), (false, 1.0)], rollout.stages.Select(s => (s.shadow, s.traffic_weight)));
    }

    [Fact]
    public void Reports_every_problem_with_its_line_and_field()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay
            stages:
              - name: shadow
                shadow: true
                traffic: 0.5
                min_duration: soon
              - name: shadow
                traffic: 1.5
                gates: {accuracy: 0.9}
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "rollout.yaml", Now, null));

        var problems = ex.Errors.Select(e => $"{e.Line}:{e.Field}").ToList();
        Assert.Contains("2:candidate", problems);
        Assert.Contains("6:stages[0].traffic", problems);
        Assert.Contains("7:stages[0].min_duration", problems);
        Assert.Contains("8:stages[1].name", problems);
        Assert.Contains("9:stages[1].traffic", problems);
        Assert.Contains("10:stages[1].gates.accuracy", problems);
        Assert.All(ex.Errors, e => Assert.Equal("rollout.yaml", e.File));
    }

    [Fact]
    public void A_traffic_stage_needs_its_traffic_share()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay:2
            stages:
              - name: canary
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "r.yaml", Now, null));

        Assert.Equal("stages[0].traffic", Assert.Single(ex.Errors).Field);
    }

    [Fact]
    public void A_rule_set_can_be_the_candidate()
    {
        const string yaml = """
            deployment: flights
            candidate_rules: delay-rules:4
            stages:
              - name: shadow
                shadow: true
                gates: {score_shift: 0.05}
              - name: canary
                traffic: 0.1
            """;

        var rollout = RolloutFile.Parse(yaml, "r.yaml", Now, null);

        Assert.Equal(("delay-rules:4", ""), (rollout.candidate_rules, rollout.candidate_model));
        Assert.Equal(["shadow", "canary"], rollout.stages.Select(s => s.name));
    }

    [Fact]
    public void A_model_rollout_has_no_candidate_rules()
    {
        var rollout = RolloutFile.Parse("deployment: flights\ncandidate: flight-delay:2\nstages: [{name: full, traffic: 1}]", "r.yaml", Now, null);

        Assert.Equal(("flight-delay:2", (string?)null), (rollout.candidate_model, rollout.candidate_rules));
    }

    [Fact]
    public void Both_candidates_are_refused_at_the_second()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay:2
            candidate_rules: delay-rules:4
            stages: [{name: full, traffic: 1}]
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "r.yaml", Now, null));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(("r.yaml", 3, 18, "candidate_rules"), (error.File, error.Line, error.Column, error.Field));
        Assert.Contains("either candidate (a model) or candidate_rules (a rule set), not both", error.ToString());
    }

    [Fact]
    public void A_rollout_without_a_candidate_says_which_fields_name_one()
    {
        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse("deployment: flights\nstages: [{name: full, traffic: 1}]", "r.yaml", Now, null));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(("candidate", 1, 1), (error.Field, error.Line, error.Column));
        Assert.Contains("(candidate) or a rule set 'name:version' (candidate_rules)", error.Message);
    }

    [Fact]
    public void A_malformed_candidate_rule_set_is_located()
    {
        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse("deployment: flights\ncandidate_rules: delay-rules\nstages: [{name: full, traffic: 1}]", "r.yaml", Now, null));

        Assert.Equal(("candidate_rules", 2, "'delay-rules' is not name:version"), (ex.Errors[0].Field, ex.Errors[0].Line, ex.Errors[0].Message));
    }

    [Theory]
    [InlineData("wieght: 0.5", "stages[0].wieght", 6, 5, "unknown field; expected one of name, traffic, shadow, min_duration, min_samples, manual, gates")]
    [InlineData("gates: {accuracy: 0.9}", "stages[0].gates.accuracy", 6, 13, "unknown field; expected one of error_rate, fallback_rate, latency_p99_ms, score_shift")]
    [InlineData("min_samples: many", "stages[0].min_samples", 6, 18, "'many' is not a whole number >= 0")]
    [InlineData("manual: yes", "stages[0].manual", 6, 13, "'yes' is not true or false")]
    [InlineData("min_duration: [5m]", "stages[0].min_duration", 6, 19, "must be a non-empty value")]
    [InlineData("gates: [error_rate]", "stages[0].gates", 6, 12, "must be a mapping of metric to its maximum")]
    [InlineData("gates: {error_rate: high}", "stages[0].gates.error_rate", 6, 25, "'high' is not a number >= 0")]
    public void An_unknown_field_or_a_value_of_the_wrong_type_is_located_at_its_key_or_value(
        string line, string field, int lineNumber, int column, string message)
    {
        var yaml = $"""
            deployment: flights
            candidate: flight-delay:2
            stages:
              - name: canary
                traffic: 0.05
                {line}
            """;

        var error = Assert.Single(Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "rollout.yaml", Now, null)).Errors);

        Assert.Equal(("rollout.yaml", lineNumber, column, field), (error.File, error.Line, error.Column, error.Field));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_at_the_top_is_located_at_the_value()
    {
        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse("deployment: flights\ncandidate: flight-delay:2\nstages: full", "r.yaml", Now, null));

        Assert.Equal("r.yaml:3:9: stages: must be a non-empty list of stages", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void A_missing_stage_name_is_located_at_the_stage_that_lacks_it()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay:2
            stages:
              - name: shadow
                shadow: true
              - traffic: 0.05
                min_samples: 100
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "r.yaml", Now, null));

        Assert.Equal("r.yaml:6:5: stages[1].name: is required", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void A_missing_deployment_is_located_at_the_top_mapping()
    {
        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse("# canary of v2\ncandidate: flight-delay:2\nstages: [{name: full, traffic: 1}]", "r.yaml", Now, null));

        Assert.Equal("r.yaml:2:1: deployment: is required", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void Two_problems_in_one_file_are_both_reported_in_file_order()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay:2
            colour: blue
            stages:
              - name: canary
                traffic: lots
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "rollout.yaml", Now, null));

        Assert.Equal(
            [
                "rollout.yaml:3:1: colour: unknown field; expected one of deployment, tenant, candidate, candidate_rules, stages",
                "rollout.yaml:6:14: stages[0].traffic: 'lots' is not a number between 0 and 1",
            ],
            ex.Errors.Select(e => e.ToString()));
        Assert.Contains("invalid spec (2 problems)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_without_a_name_still_has_its_other_problems_reported()
    {
        const string yaml = """
            deployment: flights
            candidate: flight-delay:2
            stages:
              - traffic: 0.05
                min_duration: soon
                manual: maybe
            """;

        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse(yaml, "r.yaml", Now, null));

        Assert.Equal(
            [("stages[0].name", 4, 5), ("stages[0].min_duration", 5, 19), ("stages[0].manual", 6, 13)],
            ex.Errors.Select(e => (e.Field, e.Line, e.Column)));
    }

    [Fact]
    public void A_yaml_syntax_problem_is_located()
    {
        var ex = Assert.Throws<SpecException>(() => RolloutFile.Parse("deployment: flights\ndeployment: other\ncandidate: m:1\nstages: [{name: full, traffic: 1}]", "r.yaml", Now, null));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(("r.yaml", 2, 1, "(yaml)"), (error.File, error.Line, error.Column, error.Field));
        Assert.Contains("Duplicate key", error.Message, StringComparison.Ordinal);
    }
}
