namespace MlOps.Stack.SchemaRegistry;

/// <summary>One registered version of a subject: the shape Confluent answers for GET /subjects/{s}/versions/{v}.</summary>
/// <param name="Schema">Canonical Avro text (Apache.Avro's parsed <c>Schema.ToString()</c>).</param>
public sealed record SubjectVersion(string Subject, int Version, int Id, string Schema);
