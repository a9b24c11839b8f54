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
}
