using Avro.IO;
using Avro.Specific;
using BenchmarkDotNet.Attributes;
using MlOps.Common.Spec;
using MlOps.Common.Validation;
using MlOps.Contracts;
using MlOps.Ingestion.Pipeline;

namespace MlOps.Benchmarks;

/// <summary>
/// Contract validation of one departure event, next to decoding the same event from Avro (the work every input
/// needs anyway): the ratio says what validation adds per event.
/// </summary>
[MemoryDiagnoser]
public class ValidatorBenchmarks
{
    private PlatformSpec _spec = null!;
    private byte[] _avro = null!;
    private EventCandidate _valid = null!;
    private EventCandidate _invalid = null!;
    private DateTime _now;
    private readonly SpecificDatumReader<EventEnvelope> _reader = new(EventEnvelope._SCHEMA, EventEnvelope._SCHEMA);

    [GlobalSetup]
    public void Setup()
    {
        _spec = SpecLoader.Load(Path.Combine(Repository.Root(), "infra", "examples", "flights", "spec.yaml"));
        _now = DateTime.UtcNow;
        var envelope = SampleEvents.Departure("bench-1", _now.AddMinutes(-1), 17);
        _avro = SampleEvents.Encode(envelope);
        _valid = EventCandidate.Of(envelope, _avro.Length);
        var bad = SampleEvents.Departure("bench-2", _now.AddDays(2), 42);
        bad.attributes["distance"] = 99_999.0;
        bad.attributes["origin"] = "jfk";
        bad.attributes.Remove("destination");
        _invalid = EventCandidate.Of(bad, _avro.Length);
        if (EventValidator.Validate(_valid, _spec, _now).Count != 0 || EventValidator.Validate(_invalid, _spec, _now).Count < 4)
        {
            throw new InvalidOperationException("benchmark events do not match infra/examples/flights/spec.yaml");
        }
    }

    [Benchmark(Baseline = true, Description = "Avro decode (baseline)")]
    public EventEnvelope Decode()
    {
        using var stream = new MemoryStream(_avro);
        return _reader.Read(null!, new BinaryDecoder(stream));
    }

    [Benchmark(Description = "validate valid event")]
    public int ValidateValid() => EventValidator.Validate(_valid, _spec, _now).Count;

    [Benchmark(Description = "validate event with 4+ violations")]
    public int ValidateInvalid() => EventValidator.Validate(_invalid, _spec, _now).Count;
}
