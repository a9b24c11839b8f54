using System.Text;
using MlOps.Common.Http;
using MlOps.Common.Spec;
using MlOps.Inference;

namespace MlOps.UnitTests.Inference;

/// <summary>POST /v1/predict's data-contract check: present attribute values must meet the contract.</summary>
public sealed class InstanceContractCheckTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 3, 0, 0, DateTimeKind.Utc);

    private static readonly PlatformSpec Spec = SpecLoader.Parse("""
        spec: predict-check
        version: "1"
        contracts:
          flight_departure:
            version: "1"
            max_age: 1d
            allow_unknown_attributes: false
            attributes:
              origin:   { type: string, required: true, pattern: "^[A-Z]{3}$" }
              distance: { type: double, required: true, min: 0, max: 6000 }
              dep_hour: { type: long, required: true, min: 0, max: 23 }
        """, "predict-check.yaml");

    private static IReadOnlyList<ParsedEvent> Instances(string json)
    {
        var parsed = JsonEventParser.Parse(Encoding.UTF8.GetBytes(json), maxEvents: 10);
        Assert.Empty(parsed.Problems);
        return parsed.Events;
    }

    private static string Instance(string attributes, string type = "flight_departure", string time = "2026-11-29T02:59:00Z") =>
        $$"""{"event_id":"e","tenant_id":"t","entity_id":"AA100","event_type":"{{type}}","event_time":"{{time}}","attributes":""" + attributes + "}";

    [Fact]
    public void A_wrongly_typed_attribute_is_a_problem_at_its_instance_and_attribute_not_a_served_default()
    {
        var good = Instance("""{"origin":"JFK","distance":2475.0,"dep_hour":17}""");
        var bad = Instance("""{"origin":"JFK","distance":"2475 miles","dep_hour":17}""");

        var problem = Assert.Single(InstanceContractCheck.Problems(Instances($"[{good},{bad}]"), Spec, Now));

        Assert.Equal("/1/attributes/distance", problem.Pointer);
        Assert.StartsWith("type: expected double, got string", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_outside_its_bounds_or_pattern_is_named_and_a_lone_object_has_no_index()
    {
        var problems = InstanceContractCheck.Problems(Instances(Instance("""{"origin":"jfk","distance":7000,"dep_hour":24.5}""")), Spec, Now);

        Assert.Equal(
            ["/attributes/dep_hour type: expected long, got double", "/attributes/distance max: 7000 is above the maximum 6000", "/attributes/origin pattern: does not match the pattern ^[A-Z]{3}$"],
            problems.Select(p => $"{p.Pointer} {p.Message}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Missing_attributes_envelope_limits_and_unknown_types_are_left_to_scoring()
    {
        var instances = Instances($"[{Instance("""{"origin":"JFK"}""")},"
            + $"{Instance("""{"origin":"JFK","distance":1.5,"dep_hour":3,"colour":"red"}""", time: "2020-01-01T00:00:00Z")},"
            + $"{Instance("""{"distance":"far"}""", type: "teleport")}]");

        Assert.Empty(InstanceContractCheck.Problems(instances, Spec, Now));
    }
}
