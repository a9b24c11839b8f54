using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Ingestion;
using MlOps.IntegrationTests.Infrastructure;
using MlOps.Stack;

namespace MlOps.IntegrationTests.Ingestion;

/// <summary>
/// Claims are pending until the output is acknowledged, then published: an attempt that claimed and died holds an
/// event only until its claim expires (not for the dedupe horizon), and a batch that failed in part is retried
/// without publishing again what went out.
/// </summary>
public sealed partial class IngestionPipelineTests
{
    [Fact]
    public async Task An_http_retry_after_an_attempt_that_claimed_and_died_waits_then_is_validated_once()
    {
        var pendingTtl = TimeSpan.FromSeconds(4);
        await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(), new Dictionary<string, string?>
        {
            ["Ingestion:SpecPath"] = TestSpec.WriteTemp(),
            ["Ingestion:GroupId"] = StackFixture.NewGroupId("ingestion"),
            ["Ingestion:ClaimPendingTtl"] = pendingTtl.ToString(),
            ["Kafka:Producer:message.timeout.ms"] = "3000",
        });
        var departure = Departure("crashed", DateTime.UtcNow);
        // The attempt that died after claiming (or whose Redis call timed out after the SET ran): its pending claim
        // stays, as the pipeline writes it, and nobody releases it.
        await using (var redis = await stack.ConnectRedisAsync())
        {
            await redis.GetDatabase().StringSetAsync("mlops:ingest:event:" + departure.event_id, "pending:http:died-request:0", pendingTtl);
        }

        using (var waiting = await service.Client.PostAsync(EventsEndpointPath, JsonBody(Json(departure))))
        {
            var problem = await waiting.Content.ReadAsStringAsync();
            output.WriteLine($"{(int)waiting.StatusCode} Retry-After: {waiting.Headers.RetryAfter} {problem}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
            Assert.Equal("application/problem+json", waiting.Content.Headers.ContentType?.MediaType);
            Assert.InRange(waiting.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, pendingTtl.TotalSeconds);
            Assert.Equal([departure.event_id], JsonDocument.Parse(problem).RootElement.GetProperty("in_flight").EnumerateArray().Select(e => e.GetString()));
        }

        // Retried as a client would until the claim expires: then the event is validated, not called a duplicate.
        var outcome = await Eventually.MatchAsync(async ct =>
            {
                using var response = await service.Client.PostAsync(EventsEndpointPath, JsonBody(Json(departure)), ct);
                return response.StatusCode == HttpStatusCode.Accepted
                    ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("outcomes")[0].GetProperty("outcome").GetString()
                    : $"{(int)response.StatusCode}";
            },
            o => o != "503", Timeout, "the retry is accepted once the dead attempt's claim expired");
        Assert.Equal("validated", outcome);

        var validated = ReadMine<EventEnvelope>(TopicCatalog.EventsValidated, 1, e => e.Message.Value.event_id == departure.event_id);
        Assert.Single(validated);
    }

    [Fact]
    public async Task A_kafka_batch_whose_writes_fail_in_part_ends_with_each_event_once_on_the_validated_topic()
    {
        if (stack.MockCluster is not { } cluster)
        {
            output.WriteLine("skipped: taking one broker down needs the embedded mock cluster");
            return;
        }
        // Half of events.validated is led by a broker that goes down: writes there time out (a transient failure, so
        // the batch is retried) while writes to the other half are acknowledged. Everything else stays on broker 1.
        const int healthy = 1, failing = 3;
        var group = StackFixture.NewGroupId("ingestion");
        for (var p = 0; p < 6; p++)
        {
            cluster.SetPartitionLeader(TopicCatalog.EventsRaw, p, healthy);
            cluster.SetPartitionLeader(TopicCatalog.EventsValidated, p, p < 3 ? failing : healthy);
        }
        cluster.SetGroupCoordinator(group, healthy);
        var now = DateTime.UtcNow;
        var events = Enumerable.Range(0, 12).Select(i =>
        {
            var e = Departure($"partial-{i}", now);
            e.entity_id = $"AA{i}"; // keys fixed: the same partitions every run
            return e;
        }).ToList();
        await ProduceFromHereOnAsync(group, events);

        var retriesBefore = ConsumerMetrics.Retries.WithLabels("ingestion-raw", "transient").Value;
        cluster.SetBrokerDown(failing);
        try
        {
            await using var service = await InProcessService.StartAsync(stack.Endpoints, b => b.BuildIngestionApp(), new Dictionary<string, string?>
            {
                ["Ingestion:SpecPath"] = TestSpec.WriteTemp(),
                ["Ingestion:GroupId"] = group,
                ["Ingestion:ClaimPendingTtl"] = "00:00:30",
                ["Kafka:Producer:message.timeout.ms"] = "3000",
            });
            await Eventually.MatchAsync(_ => Task.FromResult(ConsumerMetrics.Retries.WithLabels("ingestion-raw", "transient").Value - retriesBefore),
                n => n >= 1, Timeout, "the batch failed in part and is being retried");
            cluster.SetBrokerUp(failing);

            var validated = ReadMine<EventEnvelope>(TopicCatalog.EventsValidated, events.Count, e => e.Message.Value.event_id.EndsWith(_run, StringComparison.Ordinal));
            output.WriteLine(string.Join(", ", validated.Select(v => $"{Name(v.Message.Value.event_id)}@{v.Partition.Value}")));
            // Both halves were written to: the first attempt had writes acknowledged and writes failing.
            Assert.Contains(validated, v => v.Partition.Value < 3);
            Assert.Contains(validated, v => v.Partition.Value >= 3);
            Assert.Equal(events.Select(e => e.event_id).Order(StringComparer.Ordinal), validated.Select(v => v.Message.Value.event_id).Order(StringComparer.Ordinal));
        }
        finally
        {
            cluster.SetBrokerUp(failing);
        }
    }

    /// <summary>
    /// Writes the events to one partition of events.raw (so they come as one batch) and starts <paramref name="group"/>
    /// at them, not at whatever earlier tests left on the topic.
    /// </summary>
    private async Task ProduceFromHereOnAsync(string group, IReadOnlyList<EventEnvelope> events)
    {
        using var registry = stack.NewRegistryClient();
        var serializer = new AvroSerializer<EventEnvelope>(registry).AsSyncOverAsync();
        var raw = new TopicPartition(TopicCatalog.EventsRaw, 0);
        long? first = null;
        using (var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap }).Build())
        {
            foreach (var e in events)
            {
                var value = serializer.Serialize(e, new SerializationContext(MessageComponentType.Value, TopicCatalog.EventsRaw));
                var delivered = await producer.ProduceAsync(raw, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(e.entity_id), Value = value });
                first ??= delivered.Offset.Value;
            }
        }
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = stack.Endpoints.KafkaBootstrap, GroupId = group }).Build();
        var start = Enumerable.Range(0, 6).Select(p =>
        {
            var partition = new TopicPartition(TopicCatalog.EventsRaw, p);
            return new TopicPartitionOffset(partition, p == 0 ? first!.Value : consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High);
        }).ToList();
        consumer.Commit(start);
    }
}
