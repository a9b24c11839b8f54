using Avro;

namespace MlOps.UnitTests.Avro;

/// <summary>Schemas shared by the Avro guard tests.</summary>
internal static class AvroTestSchemas
{
    /// <summary>A record that uses every Avro type, a nested and a re-used named record, and four logical types.</summary>
    public static readonly RecordSchema AllTypes = (RecordSchema)Schema.Parse("""
        {"type":"record","name":"AllTypes","namespace":"mlops.test","fields":[
          {"name":"nothing","type":"null"},
          {"name":"flag","type":"boolean"},
          {"name":"count","type":"int"},
          {"name":"big","type":"long"},
          {"name":"ratio","type":"float"},
          {"name":"score","type":"double"},
          {"name":"blob","type":"bytes"},
          {"name":"event_id","type":"string"},
          {"name":"colour","type":{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"weights","type":{"type":"map","values":"double"}},
          {"name":"note","type":["null","string"]},
          {"name":"inner","type":{"type":"record","name":"Inner","fields":[
            {"name":"label","type":"string"},
            {"name":"values","type":{"type":"array","items":"long"}}]}},
          {"name":"children","type":{"type":"array","items":"Inner"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"uid","type":{"type":"string","logicalType":"uuid"}}
        ]}
        """);

    /// <summary>A linked list: each node may hold the next one, so nesting depth is unbounded by the schema.</summary>
    public static readonly RecordSchema Node = (RecordSchema)Schema.Parse("""
        {"type":"record","name":"Node","namespace":"mlops.test","fields":[
          {"name":"value","type":"int"},
          {"name":"next","type":["null","Node"]}]}
        """);

    /// <summary>A record named Probe with the given fields, e.g. <c>("event_id", "\"string\"")</c>.</summary>
    public static RecordSchema Probe(params (string Name, string TypeJson)[] fields) =>
        (RecordSchema)Schema.Parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"mlops.test\",\"fields\":["
            + string.Join(",", fields.Select(f => $"{{\"name\":\"{f.Name}\",\"type\":{f.TypeJson}}}"))
            + "]}");
}
