using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Avro;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.UnitTests.Avro;

/// <summary>
/// The reason the guard exists: a handful of bytes declaring a huge string. Runs alone so that process-wide
/// allocation counts are not inflated by other tests.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class GuardedAvroDeserializerAllocationTests(ITestOutputHelper output)
{
    private const int SchemaId = 42;
    private const long OneMiB = 1024 * 1024;
    private const string Topic = "bomb";

    private readonly FakeSchemaRegistryClient _registry =
        new FakeSchemaRegistryClient().With(SchemaId, AvroTestSchemas.Probe(("event_id", "\"string\"")));

    [Fact]
    public async Task Length_bomb_is_rejected_while_allocating_less_than_a_MiB()
    {
        var bomb = new AvroBytes().Long(1_000_000_000).WithHeader(SchemaId);
        var deserializer = new GuardedAvroDeserializer<GenericRecord>(_registry, AvroLimits.Default);
        await Assert.ThrowsAsync<AvroPayloadRejectedException>(() => deserializer.DeserializeAsync(bomb, Topic, CancellationToken.None).AsTask());

        var before = GC.GetAllocatedBytesForCurrentThread();
        var pending = deserializer.DeserializeAsync(bomb, Topic, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Completed on return means all the work ran on this thread, so the per-thread count is the whole cost.
        Assert.True(pending.IsCompleted, "the guarded rejection went asynchronous");
        var rejected = await Record.ExceptionAsync(() => pending.AsTask());
        output.WriteLine($"guarded: {bomb.Length}-byte message declaring a 1e9-byte string; allocated {allocated:N0} bytes; {rejected?.Message}");
        var error = Assert.IsType<AvroPayloadRejectedException>(rejected);
        Assert.Equal("field 'event_id': string length 1000000000 exceeds the 0 bytes remaining at offset 5", error.Reason);
        Assert.True(allocated < OneMiB, $"guarded path allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Control_unguarded_confluent_deserializer_allocates_the_declared_length()
    {
        // Bounded to ~200 MB so the control stays cheap; the real 1e9 bomb behaves the same, five times over.
        var bomb = new AvroBytes().Long(200_000_000).WithHeader(SchemaId);
        var unguarded = new AvroDeserializer<GenericRecord>(
            _registry, new AvroDeserializerConfig { SubjectNameStrategy = Confluent.SchemaRegistry.SubjectNameStrategy.Topic });
        var context = new SerializationContext(MessageComponentType.Value, Topic);

        // Confluent's deserializer resumes on a pool thread, so only the process-wide count sees its allocation.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var failure = await Record.ExceptionAsync(() => unguarded.DeserializeAsync(bomb, isNull: false, context));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.WriteLine($"unguarded: {bomb.Length}-byte message declaring a 2e8-byte string; allocated {allocated:N0} bytes; {failure?.GetType().Name}: {failure?.Message}");
        Assert.NotNull(failure);
        Assert.True(allocated > 100 * OneMiB || failure is OutOfMemoryException, $"unguarded path allocated only {allocated:N0} bytes");
    }
}
