using Avro;
using Avro.IO;
using Avro.Specific;
using MlOps.Contracts;
using MlOps.Contracts.Codegen;

namespace MlOps.UnitTests.Contracts;

public sealed class AvroContractParityTests
{
    private static readonly string Root = RepoRoot.Find(AppContext.BaseDirectory);

    public static TheoryData<string> ContractTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(ContractSchemas).Assembly.GetTypes()
                     .Where(t => typeof(ISpecificRecord).IsAssignableFrom(t) || (t.IsEnum && t.Namespace == "MlOps.Contracts" && t != typeof(CleanupPolicy)))
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(type.FullName!);
        }
        return data;
    }

    [Fact]
    public void Every_avsc_file_has_a_generated_type_and_every_generated_type_an_avsc_file()
    {
        var avscNames = Directory.GetFiles(Path.Combine(Root, "contracts", "avro"), "*.avsc")
            .Select(f => "MlOps.Contracts." + Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);
        var generated = ContractTypes().Cast<object[]>().Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        Assert.Equal(avscNames, generated);
    }

    [Theory]
    [MemberData(nameof(ContractTypes))]
    public void Generated_type_schema_equals_its_avsc(string fullName)
    {
        var type = typeof(ContractSchemas).Assembly.GetType(fullName)!;
        var avsc = ContractSchemas.For(fullName);
        var generated = type.IsEnum
            ? avsc // enums carry no _SCHEMA field; their symbols are compared below
            : (Schema)type.GetField("_SCHEMA")!.GetValue(null)!;

        Assert.Equal(avsc.ToString(), generated.ToString());
        Assert.Equal(SchemaNormalization.ParsingFingerprint64(avsc), SchemaNormalization.ParsingFingerprint64(generated));
        if (type.IsEnum)
        {
            Assert.Equal(((EnumSchema)avsc).Symbols, Enum.GetNames(type));
        }
    }

    [Fact]
    public void Checked_in_generated_code_matches_a_fresh_generation_from_the_avsc_files()
    {
        var fresh = Path.Combine(Path.GetTempPath(), "mlops-parity-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = ContractCodeGenerator.Generate(Path.Combine(Root, "contracts", "avro"), fresh);
            var checkedIn = Path.Combine(Root, "contracts", "MlOps.Contracts", "Generated");

            Assert.Equal(
                Directory.GetFiles(checkedIn, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal),
                written.Order(StringComparer.Ordinal));
            foreach (var file in written)
            {
                Assert.True(
                    File.ReadAllText(Path.Combine(fresh, file)) == ContractCodeGenerator.Normalize(File.ReadAllText(Path.Combine(checkedIn, file))),
                    $"Generated/{file} is stale: run 'dotnet run --project contracts/MlOps.Contracts.Codegen'.");
            }
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void A_specific_record_round_trips_through_avro_binary_with_nested_contracts()
    {
        var prediction = ContractSamples.Prediction();
        var labeled = new LabeledPrediction
        {
            prediction = prediction,
            label = ContractSamples.Label(prediction.prediction_id),
            label_delay_ms = 3_600_000,
            joined_at = prediction.predicted_at.AddHours(1),
        };

        var copy = RoundTrip(labeled);

        Assert.Equal(prediction.prediction_id, copy.prediction.prediction_id);
        Assert.Equal(0.42, copy.prediction.scores["p_delay"]);
        Assert.Equal(17L, copy.prediction.served_features["dep_hour"]);
        Assert.Null(copy.prediction.served_features["tail_number"]);
        Assert.Equal("mlops.events.validated", copy.prediction.lineage.source_topic);
        Assert.Equal(prediction.event_time, copy.prediction.event_time);
        Assert.Equal(1.0, copy.label.value);
    }

    private static T RoundTrip<T>(T record) where T : ISpecificRecord, new()
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<T>(record.Schema).Write(record, new BinaryEncoder(stream));
        stream.Position = 0;
        return new SpecificDatumReader<T>(record.Schema, record.Schema).Read(new T(), new BinaryDecoder(stream));
    }
}
