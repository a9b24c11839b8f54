namespace MlOps.Stack.SchemaRegistry;

/// <summary>The body of register, lookup and compatibility requests; a null type means AVRO.</summary>
public sealed record SchemaRequest(string? Schema, string? SchemaType);
