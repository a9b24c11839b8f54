using Avro;
using Avro.Specific;

namespace MlOps.UnitTests.Avro;

/// <summary>A hand-written specific record, shaped the way Apache.Avro's code generator writes them.</summary>
public sealed class ProbeEvent : ISpecificRecord
{
    // Confluent's deserializer finds the reader schema through this public static field, by name.
    public static readonly Schema _SCHEMA = Schema.Parse("""
        {"type":"record","name":"ProbeEvent","namespace":"mlops.test","fields":[
          {"name":"event_id","type":"string"},
          {"name":"amount","type":"long"}]}
        """);

    public Schema Schema => _SCHEMA;

    public string event_id { get; set; } = "";

    public long amount { get; set; }

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => event_id,
        1 => amount,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: event_id = (string)fieldValue; break;
            case 1: amount = (long)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
