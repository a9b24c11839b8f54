using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using MlOps.Common.Avro;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>Poison input on a real broker and registry: dead-lettered with its bytes and reason; the partition flows on.</summary>
[Collection(StackCollection.Name)]
public sealed class PoisonAndDeadLetterTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Poison_goes_to_the_dlq_with_raw_bytes_and_reason_headers_while_later_messages_still_flow()
    {
        var topic = await stack.CreateTopicAsync("poison", partitions: 1);
        var group = StackFixture.NewGroupId("poison");
        using var registry = stack.NewRegistryClient();
        var decoded = new ConcurrentQueue<string>();
        var handler = new MessageHandlerBatchAdapter(new DecodingHandler(
            new GuardedAvroDeserializer<EventEnvelope>(registry, AvroLimits.Default), decoded));

        await using var harness = await WorkerHarness.StartAsync(stack, Options(group, topic), handler);
        var publisher = new AvroPublisher(harness.Producer, registry);
        var valid = await publisher.SerializeAsync(topic, Event("e-1"));
        var schemaId = valid.AsSpan(1, 4).ToArray();
        byte[][] poison =
        [
            Encoding.UTF8.GetBytes("{\"not\": \"avro\"}"),
            [0, .. schemaId, 0xFE, 0xA7, 0xD6, 0xB9, 0x07], // declares a 999,999,999-byte string in 5 bytes
            [0, 0x00, 0x0F, 0x42, 0x3F, 0x02, 0x61],       // schema id 999999 does not exist
        ];
        byte[][] sequence = [valid, poison[0], await publisher.SerializeAsync(topic, Event("e-2")), poison[1], poison[2], await publisher.SerializeAsync(topic, Event("e-3"))];
        foreach (var value in sequence)
        {
            await harness.Producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = value }, CancellationToken.None);
        }

        await Eventually.MatchAsync(_ => Task.FromResult(decoded.ToArray()), d => d.Length == 3, Timeout, "three valid events decoded");
        var dead = RawMessages.ReadAll(stack.Endpoints.KafkaBootstrap, topic + TopicCatalog.DeadLetterSuffix, 3, Timeout);
        await Eventually.MatchAsync(
            _ => Task.FromResult(RawMessages.Committed(stack.Endpoints.KafkaBootstrap, group, topic, 1)[0]),
            offset => offset == sequence.Length, Timeout, "offsets committed past the last message");

        Assert.Equal(["e-1", "e-2", "e-3"], decoded);
        Assert.Equal(3, dead.Count);
        Assert.Equal(poison, dead.Select(d => d.Message.Value));
        Assert.Equal(["1", "3", "4"], dead.Select(d => Header(d, DeadLetterHeaders.SourceOffset)));
        Assert.All(dead, d => Assert.Equal(topic, Header(d, DeadLetterHeaders.SourceTopic)));
        Assert.All(dead, d => Assert.Equal(group, Header(d, DeadLetterHeaders.ConsumerGroup)));
        var reasons = dead.Select(d => Header(d, DeadLetterHeaders.Reason)!).ToArray();
        output.WriteLine(string.Join(Environment.NewLine, reasons));
        Assert.Contains("magic", reasons[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("string length 999999999 exceeds", reasons[1], StringComparison.Ordinal);
        Assert.Contains("unknown schema id 999999", reasons[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_length_bomb_is_rejected_through_the_real_registry_without_a_large_allocation()
    {
        var topic = await stack.CreateTopicAsync("bomb", partitions: 1);
        using var registry = stack.NewRegistryClient();
        var id = await registry.RegisterSchemaAsync(topic + "-value", new Confluent.SchemaRegistry.Schema(EventEnvelope._SCHEMA.ToString(), Confluent.SchemaRegistry.SchemaType.Avro));
        byte[] bomb = [0, (byte)(id >> 24), (byte)(id >> 16), (byte)(id >> 8), (byte)id, 0xFE, 0xA7, 0xD6, 0xB9, 0x07];
        var deserializer = new GuardedAvroDeserializer<EventEnvelope>(registry, AvroLimits.Default);
        // Warm-up: fetches and caches the writer schema, so the measurement covers only the guard.
        await Assert.ThrowsAsync<AvroPayloadRejectedException>(async () => await deserializer.DeserializeAsync(bomb, topic, CancellationToken.None));

        // With the schema cached the rejection completes synchronously on this thread, so the per-thread count
        // covers all of its work and no parallel test's allocations.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var rejection = deserializer.DeserializeAsync(bomb, topic, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(rejection.IsCompleted, "the guarded rejection completed synchronously");
        var rejected = await Assert.ThrowsAsync<AvroPayloadRejectedException>(async () => await rejection);

        output.WriteLine($"allocated {allocated} bytes; reason: {rejected.Reason}");
        Assert.Equal(id, rejected.SchemaId);
        Assert.InRange(allocated, 1, 1024 * 1024);
    }

    [Fact]
    public async Task A_poison_message_too_large_for_the_dead_letter_topic_is_dead_lettered_without_its_bytes_saying_why()
    {
        var topic = await stack.CreateTopicAsync("toolarge", partitions: 1);
        var group = StackFixture.NewGroupId("toolarge");
        var handler = new MessageHandlerBatchAdapter(new RejectEverything());
        var tight = stack.Kafka;
        tight.Producer["message.max.bytes"] = "4096";
        await using var harness = await WorkerHarness.StartAsync(stack, Options(group, topic), handler, tight);
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = new byte[10_000] });
        }

        var dead = Assert.Single(RawMessages.ReadAll(stack.Endpoints.KafkaBootstrap, topic + TopicCatalog.DeadLetterSuffix, 1, Timeout));

        Assert.Null(dead.Message.Value);
        Assert.Equal("10000 bytes refused: MsgSizeTooLarge", Header(dead, DeadLetterHeaders.ValueDropped));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.SourceOffset));
        Assert.Equal("rejected", Header(dead, DeadLetterHeaders.Reason));
    }

    [Fact]
    public async Task Poison_whose_dead_letter_topic_is_missing_holds_the_partition_until_the_topic_exists_and_is_then_dead_lettered()
    {
        var topic = await stack.CreateTopicAsync("nodlq", partitions: 1, withDeadLetterTopic: false);
        var group = StackFixture.NewGroupId("nodlq");
        var options = Options(group, topic);
        options.Name = "nodlq-" + Guid.NewGuid().ToString("N")[..8];
        options.MaxRetryBackoff = TimeSpan.FromMilliseconds(100);
        options.MaxTransientRetry = TimeSpan.FromSeconds(1);
        // The missing topic must stay missing (no auto-creation) and be reported, and then noticed once it exists,
        // within the test's time rather than librdkafka's defaults of 30 s and 5 min.
        var kafka = stack.Kafka;
        kafka.Producer["allow.auto.create.topics"] = "false";
        kafka.Producer["topic.metadata.propagation.max.ms"] = "100";
        kafka.Producer["topic.metadata.refresh.interval.ms"] = "200";
        await using var harness = await WorkerHarness.StartAsync(stack, options, new MessageHandlerBatchAdapter(new RejectEverything()), kafka);
        byte[] poison = [1, 2, 3];
        await harness.Producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = poison }, CancellationToken.None);

        // Refused, retried, given up and re-read at least once: all without committing past the poison.
        await Eventually.MatchAsync(
            _ => Task.FromResult((Blocked: ConsumerMetrics.Messages.WithLabels(options.Name, topic, "dead_letter_blocked").Value,
                Rewinds: ConsumerMetrics.Retries.WithLabels(options.Name, "rewind").Value)),
            m => m.Blocked >= 2 && m.Rewinds >= 1, Timeout, "the dead letter refused and the batch re-read");
        Assert.True(RawMessages.Committed(stack.Endpoints.KafkaBootstrap, group, topic, 1)[0] < 1, "committed past a poison message that is in no topic");
        Assert.Equal(0, ConsumerMetrics.Messages.WithLabels(options.Name, topic, "dead_lettered").Value);

        await stack.CreateDeadLetterTopicAsync(topic);

        var dead = Assert.Single(RawMessages.ReadAll(stack.Endpoints.KafkaBootstrap, topic + TopicCatalog.DeadLetterSuffix, 1, Timeout));
        Assert.Equal(poison, dead.Message.Value);
        Assert.Equal("rejected", Header(dead, DeadLetterHeaders.Reason));
        await Eventually.MatchAsync(
            _ => Task.FromResult(RawMessages.Committed(stack.Endpoints.KafkaBootstrap, group, topic, 1)[0]),
            offset => offset == 1, Timeout, "offset committed once the dead letter was written");
    }

    private static ConsumerWorkerOptions Options(string group, string topic) => new()
    {
        Name = "poison-test",
        GroupId = group,
        Topics = [topic],
        MaxBatchSize = 10,
        RetryBackoff = TimeSpan.FromMilliseconds(10),
    };

    private static string? Header(ConsumeResult<byte[], byte[]> message, string key) => LineageHeaders.Get(message.Message.Headers, key);

    private static EventEnvelope Event(string id) => new()
    {
        event_id = id,
        tenant_id = "t",
        entity_id = "entity",
        event_type = "flight_departure",
        event_time = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        attributes = new Dictionary<string, object> { ["distance"] = 100.0 },
        producer = new ProducerMetadata { producer_id = "it" },
    };

    private sealed class RejectEverything : IKafkaMessageHandler
    {
        public Task HandleAsync(ConsumeResult<byte[]?, byte[]?> message, CancellationToken ct) => throw new PoisonMessageException("rejected");
    }

    private sealed class DecodingHandler(GuardedAvroDeserializer<EventEnvelope> deserializer, ConcurrentQueue<string> decoded) : IKafkaMessageHandler
    {
        public async Task HandleAsync(ConsumeResult<byte[]?, byte[]?> message, CancellationToken ct)
        {
            try
            {
                var envelope = await deserializer.DeserializeAsync(message.Message.Value, message.Topic, ct);
                decoded.Enqueue(envelope.event_id);
            }
            catch (AvroPayloadRejectedException ex)
            {
                throw new PoisonMessageException(ex.Reason, ex);
            }
        }
    }
}
