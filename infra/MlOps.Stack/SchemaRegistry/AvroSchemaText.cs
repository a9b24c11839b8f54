using Avro;

namespace MlOps.Stack.SchemaRegistry;

/// <summary>Parses submitted schema text; the parsed form's ToString() is the canonical text ids are keyed on.</summary>
public static class AvroSchemaText
{
    public const string AvroType = "AVRO";

    /// <summary>Parses <paramref name="schemaText"/>, or throws the 422/42201 answer Confluent gives for bad input.</summary>
    public static Schema Parse(string? schemaText, string? schemaType)
    {
        if (schemaType is not null && !string.Equals(schemaType, AvroType, StringComparison.OrdinalIgnoreCase))
        {
            throw SchemaRegistryException.InvalidSchema(
                $"schemaType '{schemaType}' is not supported; this registry supports only AVRO");
        }

        if (string.IsNullOrWhiteSpace(schemaText))
        {
            throw SchemaRegistryException.InvalidSchema("the schema is empty");
        }

        try
        {
            // Apache.Avro answers some unknown type names ({"type":"recrd"}) with null instead of throwing.
            return Schema.Parse(schemaText)
                ?? throw SchemaRegistryException.InvalidSchema($"unknown or undefined Avro type in: {schemaText}");
        }
        catch (Exception ex) when (ex is AvroException or Newtonsoft.Json.JsonException)
        {
            throw SchemaRegistryException.InvalidSchema(ex.Message);
        }
    }
}
