using System.Globalization;
using MlOps.Common.Spec;

namespace MlOps.Common.Validation;

/// <summary>
/// Checks an event against its data contract. Pure: no I/O, the clock is a parameter. Reports every violated
/// rule, not just the first, so a producer fixes all of them in one go. An empty list means valid.
/// </summary>
public static class EventValidator
{
    public static IReadOnlyList<RuleViolation> Validate(EventCandidate e, PlatformSpec spec, DateTime utcNow)
    {
        var violations = new List<RuleViolation>();
        RequireField(violations, "event_id", e.EventId);
        RequireField(violations, "tenant_id", e.TenantId);
        RequireField(violations, "entity_id", e.EntityId);
        if (!spec.Contracts.TryGetValue(e.EventType, out var contract))
        {
            violations.Add(new RuleViolation(RuleCodes.UnknownEventType, "event_type",
                $"no data contract for event type '{Text(e.EventType)}' in spec {spec.VersionTag}", RuleViolation.Truncate(e.EventType)));
            return violations;
        }

        CheckEventLimits(violations, e, contract, utcNow);
        foreach (var rule in contract.Attributes.Values)
        {
            var value = e.Attributes.GetValueOrDefault(rule.Name);
            if (value is null)
            {
                if (rule.Required)
                {
                    violations.Add(new RuleViolation(RuleCodes.Required, rule.Name,
                        $"required attribute is {(e.Attributes.ContainsKey(rule.Name) ? "null" : "missing")}", null));
                }
                continue;
            }
            CheckAttribute(violations, rule, value);
        }
        foreach (var name in e.Attributes.Keys.Where(k => !contract.Attributes.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            if (!contract.AllowUnknownAttributes)
            {
                violations.Add(new RuleViolation(RuleCodes.UnknownAttribute, RuleViolation.Truncate(name),
                    $"attribute is not declared by contract {contract.EventType} v{contract.Version}", null));
            }
            else if (e.Attributes[name] is double number && !double.IsFinite(number))
            {
                // Let through undeclared, it still goes to every consumer of mlops.events.validated.
                violations.Add(NotFinite(RuleViolation.Truncate(name)!, number));
            }
        }
        return violations;
    }

    /// <summary>
    /// NaN and ±Infinity arrive only by Avro (JSON has no such numbers). No bound can be checked against them, and no
    /// consumer can use them: an aggregation turns them into nonsense and a JSON API cannot serialise them.
    /// </summary>
    private static RuleViolation NotFinite(string attribute, double number)
    {
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return new RuleViolation(RuleCodes.Type, attribute, $"{text} is not a finite number", text);
    }

    private static void RequireField(List<RuleViolation> violations, string field, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new RuleViolation(RuleCodes.MissingField, field, $"{field} is empty", null));
        }
    }

    private static void CheckEventLimits(List<RuleViolation> violations, EventCandidate e, DataContract contract, DateTime utcNow)
    {
        if (contract.MaxEventBytes is { } maxBytes && e.SizeBytes > maxBytes)
        {
            violations.Add(new RuleViolation(RuleCodes.MaxEventBytes, null,
                $"event is {e.SizeBytes} bytes; the contract allows {maxBytes}", e.SizeBytes.ToString(CultureInfo.InvariantCulture)));
        }
        if (contract.MaxAttributes is { } maxAttributes && e.Attributes.Count > maxAttributes)
        {
            violations.Add(new RuleViolation(RuleCodes.MaxAttributes, null,
                $"event has {e.Attributes.Count} attributes; the contract allows {maxAttributes}", e.Attributes.Count.ToString(CultureInfo.InvariantCulture)));
        }
        var eventTime = e.EventTime.ToString("O", CultureInfo.InvariantCulture);
        if (contract.MaxClockSkew is { } skew && e.EventTime - utcNow > skew)
        {
            violations.Add(new RuleViolation(RuleCodes.ClockSkew, "event_time",
                $"event_time is {Describe(e.EventTime - utcNow)} in the future; the contract allows {Describe(skew)}", eventTime));
        }
        if (contract.MaxAge is { } maxAge && utcNow - e.EventTime > maxAge)
        {
            violations.Add(new RuleViolation(RuleCodes.MaxAge, "event_time",
                $"event is {Describe(utcNow - e.EventTime)} old; the contract allows {Describe(maxAge)}", eventTime));
        }
    }

    private static void CheckAttribute(List<RuleViolation> violations, AttributeRule rule, object value)
    {
        switch (rule.Type, value)
        {
            case (AttributeType.String, string text):
                CheckString(violations, rule, text);
                break;
            case (AttributeType.Long, long number):
                CheckBounds(violations, rule, number, number.ToString(CultureInfo.InvariantCulture));
                break;
            case (AttributeType.Double, double number):
                CheckBounds(violations, rule, number, number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case (AttributeType.Double, long number): // an integral JSON number or Avro long is a fine double
                CheckBounds(violations, rule, number, number.ToString(CultureInfo.InvariantCulture));
                break;
            case (AttributeType.Boolean, bool):
                break;
            default:
                violations.Add(new RuleViolation(RuleCodes.Type, rule.Name,
                    $"expected {rule.Type.ToString().ToLowerInvariant()}, got {TypeName(value)}", RuleViolation.Truncate(Convert.ToString(value, CultureInfo.InvariantCulture))));
                break;
        }
    }

    private static void CheckBounds(List<RuleViolation> violations, AttributeRule rule, double number, string text)
    {
        if (!double.IsFinite(number))
        {
            violations.Add(NotFinite(rule.Name, number));
            return;
        }
        if (rule.Min is { } min && number < min)
        {
            violations.Add(new RuleViolation(RuleCodes.Min, rule.Name, $"{text} is below the minimum {min.ToString(CultureInfo.InvariantCulture)}", RuleViolation.Truncate(text)));
        }
        if (rule.Max is { } max && number > max)
        {
            violations.Add(new RuleViolation(RuleCodes.Max, rule.Name, $"{text} is above the maximum {max.ToString(CultureInfo.InvariantCulture)}", RuleViolation.Truncate(text)));
        }
    }

    private static void CheckString(List<RuleViolation> violations, AttributeRule rule, string text)
    {
        var shown = RuleViolation.Truncate(text);
        if (rule.MaxLength is { } maxLength && text.Length > maxLength)
        {
            violations.Add(new RuleViolation(RuleCodes.MaxLength, rule.Name, $"{text.Length} characters; the contract allows {maxLength}", shown));
        }
        if (rule.AllowedValues is { } allowed && !allowed.Contains(text))
        {
            violations.Add(new RuleViolation(RuleCodes.AllowedValues, rule.Name,
                $"'{Text(text)}' is not one of the {allowed.Count} allowed values", shown));
        }
        if (rule.Pattern is { } pattern && !pattern.IsMatch(text))
        {
            violations.Add(new RuleViolation(RuleCodes.Pattern, rule.Name, $"does not match the pattern {pattern.Source}", shown));
        }
    }

    private static string Text(string value) => RuleViolation.Truncate(value) ?? "";

    private static string TypeName(object value) => value switch
    {
        string => "string",
        long or int => "long",
        double or float => "double",
        bool => "boolean",
        _ => value.GetType().Name,
    };

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)}d",
        { TotalHours: >= 1 } => $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)}h",
        { TotalMinutes: >= 1 } => $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)}m",
        _ => $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s",
    };
}
