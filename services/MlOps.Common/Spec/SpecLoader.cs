using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

/// <summary>
/// Reads the declarative spec. Walks YamlDotNet's node tree by hand (rather than deserializing into classes) so
/// every problem is reported with the file, line, column and dotted field path, and all problems are reported at
/// once. Throws <see cref="SpecException"/>; never returns a half-valid spec.
/// </summary>
public static partial class SpecLoader
{
    /// <summary>Sections later services own; accepted here and parsed by their services.</summary>
    private static readonly string[] OtherSections = ["models", "deployments", "monitors", "alerts"];

    private static readonly string[] TopFields = ["spec", "version", "contracts", "features", .. OtherSections];

    public static PlatformSpec Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException([new SpecError(path, 1, 1, "(file)", $"cannot read the spec file: {ex.Message}")]);
        }
        return Parse(bytes, path);
    }

    public static PlatformSpec Parse(string yaml, string sourceFile) => Parse(Encoding.UTF8.GetBytes(yaml), sourceFile);

    public static PlatformSpec Parse(byte[] bytes, string sourceFile)
    {
        var reader = new Reader(sourceFile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var root = LocatedYamlReader.LoadRoot(Encoding.UTF8.GetString(bytes), sourceFile, "the spec must be a mapping with 'spec', 'version' and 'contracts'");

        var fields = reader.Fields(root, "", TopFields);
        var name = reader.RequiredString(root, fields, "spec", "", NamePattern(), "a name of lowercase letters, digits, '_' or '-'");
        var version = reader.RequiredString(root, fields, "version", "", null, null);
        var contracts = new Dictionary<string, DataContract>(StringComparer.Ordinal);
        if (!fields.TryGetValue("contracts", out var contractsNode))
        {
            reader.Error(root, "contracts", "is required: a mapping of event_type to its data contract");
        }
        else if (reader.Mapping(contractsNode, "contracts") is { } contractMap)
        {
            foreach (var (keyNode, value) in contractMap.Children)
            {
                var eventType = (keyNode as YamlScalarNode)?.Value ?? "";
                var path = $"contracts.{eventType}";
                if (!NamePattern().IsMatch(eventType))
                {
                    reader.Error(keyNode, path, "event type names are lowercase letters, digits, '_', '.' or '-'");
                }
                if (ReadContract(reader, eventType, value, path) is { } contract)
                {
                    contracts[eventType] = contract;
                }
            }
        }
        var views = fields.TryGetValue("features", out var featuresNode)
            ? ReadFeatureViews(reader, featuresNode, contracts)
            : new Dictionary<string, FeatureView>(StringComparer.Ordinal);
        reader.ThrowIfAny();
        return new PlatformSpec(name!, version!, hash, sourceFile, contracts, views);
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9_.\-]*\z")]
    private static partial Regex NamePattern();
}
