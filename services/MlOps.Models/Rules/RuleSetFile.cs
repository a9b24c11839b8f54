using MlOps.Common.Spec;
using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Models.Rules;

/// <summary>
/// Reads a rule set file (<c>rule_set</c>, <c>version</c>, <c>description</c>, <c>rules</c>). Like the spec loader it
/// walks YamlDotNet's node tree so every problem carries file:line:column and the field (<c>rules[2].threshold</c>);
/// the rules' meaning is checked by <see cref="CompiledRuleSet.Compile"/>, whose problems are located here too.
/// </summary>
public static class RuleSetFile
{
    private static readonly string[] TopFields = ["rule_set", "version", "description", "rules"];

    private static readonly string[] RuleFields =
        ["name", "kind", "min", "max", "tenants", "entities", "threshold", "attribute", "equals", "pattern", "probability", "decision"];

    public static RuleSet Load(string path, DateTime createdAt, string? createdBy = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetFileException([new SpecError(path, 1, 1, "(file)", $"cannot read the rule set file: {ex.Message}")]);
        }
        return Parse(text, path, createdAt, createdBy);
    }

    public static RuleSet Parse(string yaml, string sourceFile, DateTime createdAt, string? createdBy = null)
    {
        var root = LocatedYamlReader.LoadRoot(yaml, sourceFile, "a rule set file is a mapping with 'rule_set', 'version' and 'rules'", errors => new RuleSetFileException(errors));
        var reader = new RuleSetYamlReader(sourceFile);
        var fields = reader.Fields(root, "", TopFields);
        reader.Locate("name", fields.GetValueOrDefault("rule_set") ?? root);
        reader.Locate("version", fields.GetValueOrDefault("version") ?? root);
        var set = new RuleSet
        {
            name = reader.String(fields, "rule_set", "") ?? "",
            version = reader.String(fields, "version", "") ?? "",
            description = reader.String(fields, "description", ""),
            created_by = createdBy,
            created_at = createdAt,
            rules = [],
        };
        if (!fields.TryGetValue("rules", out var rulesNode))
        {
            reader.Error(root, "rules", "is required: a list of rules");
        }
        else if (rulesNode is not YamlSequenceNode sequence)
        {
            reader.Error(rulesNode, "rules", "must be a list of rules");
        }
        else
        {
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                set.rules.Add(ReadRule(reader, sequence.Children[i], $"rules[{i}]"));
            }
        }
        reader.AddCompileProblems(set);
        reader.ThrowIfAny();
        return set;
    }

    private static OutputRule ReadRule(RuleSetYamlReader reader, YamlNode node, string path)
    {
        var rule = new OutputRule { name = "", kind = "" };
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "must be a mapping (name, kind and the kind's fields)");
            return rule;
        }
        var fields = reader.Fields(map, path, RuleFields);
        foreach (var field in RuleFields)
        {
            reader.Locate($"{path}.{field}", fields.GetValueOrDefault(field) ?? map);
        }
        rule.name = reader.String(fields, "name", path) ?? "";
        rule.kind = reader.String(fields, "kind", path) ?? "";
        rule.min = reader.Number(fields, "min", path);
        rule.max = reader.Number(fields, "max", path);
        rule.threshold = reader.Number(fields, "threshold", path);
        rule.probability = reader.Number(fields, "probability", path);
        rule.tenants = reader.List(fields, "tenants", path);
        rule.entities = reader.List(fields, "entities", path);
        rule.attribute = reader.String(fields, "attribute", path);
        rule.equals = reader.String(fields, "equals", path);
        rule.pattern = reader.String(fields, "pattern", path);
        rule.decision = reader.String(fields, "decision", path);
        return rule;
    }
}
