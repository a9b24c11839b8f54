using MlOps.Common.Spec;
using MlOps.Common.Validation;

namespace MlOps.UnitTests.Validation;

/// <summary>
/// NaN and ±Infinity reach the validator only from Avro (JSON has no such numbers); none is a value any consumer can
/// aggregate, serve or serialise, so each is a type violation naming the attribute and the value, bounds or not.
/// </summary>
public sealed class EventValidatorNonFiniteTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 17, 0, 0, DateTimeKind.Utc);

    private static readonly PlatformSpec Spec = SpecLoader.Parse("""
        spec: flights
        version: "3"
        contracts:
          flight_departure:
            version: "2"
            attributes:
              distance: { type: double, min: 0, max: 6000 }
              ratio:    { type: double }
          open_event:
            version: "1"
            allow_unknown_attributes: true
        """, "test.yaml");

    private static IReadOnlyList<RuleViolation> Validate(string eventType, string attribute, object value) =>
        EventValidator.Validate(
            new EventCandidate("e-1", "airline-a", "AA100", eventType, Now.AddMinutes(-1), new Dictionary<string, object?> { [attribute] = value }, 100),
            Spec, Now);

    public static TheoryData<double, string> NonFinite => new()
    {
        { double.PositiveInfinity, "Infinity" },
        { double.NegativeInfinity, "-Infinity" },
        { double.NaN, "NaN" },
    };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_double_without_bounds_is_a_type_violation_naming_attribute_and_value(double value, string text)
    {
        var violation = Assert.Single(Validate("flight_departure", "ratio", value));

        Assert.Equal((RuleCodes.Type, "ratio", text, $"{text} is not a finite number"),
            (violation.Rule, violation.Attribute, violation.Value, violation.Message));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_double_with_bounds_is_only_a_type_violation_not_a_min_or_max_one(double value, string text)
    {
        var violation = Assert.Single(Validate("flight_departure", "distance", value));

        Assert.Equal((RuleCodes.Type, "distance", text), (violation.Rule, violation.Attribute, violation.Value));
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_non_finite_double_in_an_attribute_the_contract_lets_through_undeclared_is_refused_too(double value, string text)
    {
        // Undeclared attributes go on to mlops.events.validated like declared ones: a non-finite one would reach every
        // consumer all the same.
        var violation = Assert.Single(Validate("open_event", "anything", value));

        Assert.Equal((RuleCodes.Type, "anything", text, $"{text} is not a finite number"),
            (violation.Rule, violation.Attribute, violation.Value, violation.Message));
    }

    [Fact]
    public void Finite_extremes_stay_valid()
    {
        Assert.Empty(Validate("flight_departure", "ratio", double.MaxValue));
        Assert.Empty(Validate("flight_departure", "ratio", -double.Epsilon));
        Assert.Empty(Validate("open_event", "anything", double.MinValue));
    }
}
