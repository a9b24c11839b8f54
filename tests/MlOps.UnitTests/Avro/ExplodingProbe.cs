using Avro;
using Avro.Specific;
using Avro.Util;

namespace MlOps.UnitTests.Avro;

/// <summary>
/// A specific record whose one field has a logical type (registered with Apache.Avro here) that fails to convert
/// every value with an exception that is not Apache.Avro's, as .NET's DateTime arithmetic does for years past 9999.
/// </summary>
public sealed class ExplodingProbe : ISpecificRecord
{
    public const string LogicalTypeName = "mlops-test-explodes";

    // Confluent's deserializer finds the reader schema through this public static field, by name. The logical type
    // must be registered before any schema naming it is parsed.
    public static readonly Schema _SCHEMA = RegisterAndParse();

    public Schema Schema => _SCHEMA;

    public long value { get; set; }

    public object Get(int fieldPos) => fieldPos == 0 ? value : throw new AvroRuntimeException($"Bad index {fieldPos} in Get()");

    public void Put(int fieldPos, object fieldValue) =>
        value = fieldPos == 0 ? (long)fieldValue : throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");

    private static Schema RegisterAndParse()
    {
        LogicalTypeFactory.Instance.Register(new Exploding());
        return Schema.Parse($$$"""
            {"type":"record","name":"ExplodingProbe","namespace":"mlops.test","fields":[
              {"name":"value","type":{"type":"long","logicalType":"{{{LogicalTypeName}}}"}}]}
            """);
    }

    private sealed class Exploding() : LogicalType(LogicalTypeName)
    {
        public override object ConvertToBaseValue(object logicalValue, LogicalSchema schema) => logicalValue;

        public override object ConvertToLogicalValue(object baseValue, LogicalSchema schema) =>
            throw new OverflowException($"{baseValue} does not fit");

        public override Type GetCSharpType(bool nullible) => typeof(long);

        public override bool IsInstanceOfLogicalType(object logicalValue) => logicalValue is long;
    }
}
