using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka.SyncOverAsync;
using MlOps.Features;
using MlOps.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Stack;
using MlOps.Stack.Redis;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.Features;

/// <summary>
/// The Features service on the embedded stack: Redis state always equals the oracle (each partition's events
/// applied once, in order), whatever happens to the service, its group or Redis.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FeatureStoreTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Replaying_the_partitions_leaves_identical_state_equal_to_the_oracle()
    {
        var scenario = FeatureScenario.Create(400, seed: 1);
        var topic = await stack.CreateTopicAsync("features-replay", partitions: 4);
        var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events);
        var partitions = delivered.Select(d => d.Partition).ToList();

        await using (await FeatureScenario.StartServiceAsync(stack.Endpoints, scenario.Settings(topic, StackFixture.NewGroupId("features"))))
        {
            await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, topic, delivered, Timeout);
        }
        var once = await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, partitions);
        Assert.Equal(scenario.Oracle(topic, delivered).Snapshot(), once);
        Assert.Contains("count=", once, StringComparison.Ordinal); // distinct counts were written

        // A new group reads every partition again from the start: each event is recognised and skipped.
        var replayedBefore = FeaturesMetrics.Replayed.Value;
        await using (await FeatureScenario.StartServiceAsync(stack.Endpoints, scenario.Settings(topic, StackFixture.NewGroupId("features-replay"))))
        {
            await Eventually.MatchAsync(_ => Task.FromResult(FeaturesMetrics.Replayed.Value - replayedBefore), n => n >= delivered.Count, Timeout,
                $"all {delivered.Count} events replayed");
        }
        Assert.Equal(once, await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, partitions));
    }

    [Fact]
    public async Task Two_instances_in_one_group_leave_the_same_state_as_one()
    {
        var scenario = FeatureScenario.Create(600, seed: 2);
        var topic = await stack.CreateTopicAsync("features-group", partitions: 4);
        var group = StackFixture.NewGroupId("features-pair");
        var settings = scenario.Settings(topic, group, batchSize: 20);
        settings["Kafka:Consumer:session.timeout.ms"] = "6000";
        settings["Kafka:Consumer:heartbeat.interval.ms"] = "500";

        var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events.Take(200));
        await using var first = await FeatureScenario.StartServiceAsync(stack.Endpoints, settings);
        await using var second = await FeatureScenario.StartServiceAsync(stack.Endpoints, settings);
        delivered.AddRange(await FeatureScenario.ProduceAsync(stack, topic, scenario.Events.Skip(200)));
        await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, topic, delivered, Timeout);

        var handled = new[] { first, second }.Select(s => s.Services.GetRequiredService<ValidatedEventsHandler>().EventsHandled).ToArray();
        output.WriteLine($"events handled per instance: {string.Join(", ", handled)}");
        Assert.All(handled, n => Assert.True(n > 0, "both instances took part"));
        Assert.Equal(scenario.Oracle(topic, delivered).Snapshot(),
            await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, delivered.Select(d => d.Partition)));
    }

    [Fact]
    public async Task A_service_killed_mid_stream_and_restarted_loses_and_double_counts_nothing()
    {
        var scenario = FeatureScenario.Create(2000, seed: 3);
        var topic = await stack.CreateTopicAsync("features-kill", partitions: 4);
        var group = StackFixture.NewGroupId("features-kill");
        // The killed member never leaves the group: its partitions move once its session times out.
        var settings = scenario.Settings(topic, group, batchSize: 5);
        settings["Kafka:Consumer:session.timeout.ms"] = "6000";
        settings["Kafka:Consumer:heartbeat.interval.ms"] = "500";

        var delivered = new List<Delivered>();
        var gate = new Lock();
        List<Delivered> Delivered()
        {
            lock (gate)
            {
                return [.. delivered];
            }
        }
        Task producing;
        using (var child = StartChildService(settings))
        {
            // The stream keeps arriving while the child works (50 events every 250 ms, ~10 s in all), so the kill lands
            // mid-stream with batches in flight however fast the service is.
            producing = Task.Run(async () =>
            {
                foreach (var chunk in scenario.Events.Chunk(50))
                {
                    var part = await FeatureScenario.ProduceAsync(stack, topic, chunk);
                    lock (gate)
                    {
                        delivered.AddRange(part);
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                }
            });
            // Kill -9 once some, not all, of the stream is in Redis.
            var progress = await Eventually.MatchAsync(
                _ => AppliedAsync(topic, Delivered()), applied => applied >= 100, Timeout, "the child applied some events");
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            var atKill = await AppliedAsync(topic, Delivered());
            output.WriteLine($"applied when killed: {atKill} of {scenario.Events.Count} (first seen {progress})");
            Assert.True(atKill < scenario.Events.Count, "the kill happened mid-stream");
        }
        await producing;

        settings["Features:MaxBatchSize"] = "50";
        await using (await FeatureScenario.StartServiceAsync(stack.Endpoints, settings))
        {
            await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, topic, delivered, Timeout);
        }
        Assert.Equal(scenario.Oracle(topic, delivered).Snapshot(),
            await scenario.RedisSnapshotAsync(stack.Endpoints.RedisUrl, topic, delivered.Select(d => d.Partition)));
    }

    [Fact]
    public async Task Redis_stopped_and_restarted_mid_stream_pauses_consumption_and_recovers_without_loss()
    {
        var scenario = FeatureScenario.Create(600, seed: 4);
        var topic = await stack.CreateTopicAsync("features-redis", partitions: 2);
        using var cancellation = new CancellationTokenSource(Timeout);
        var data = Directory.CreateTempSubdirectory("mlops-redis-aof-").FullName;
        var redis = await RedisServerProcess.StartAsync(0, cancellation.Token, data);
        var endpoints = stack.Endpoints with { RedisUrl = redis.Url };
        try
        {
            var settings = scenario.Settings(topic, StackFixture.NewGroupId("features-redis"), batchSize: 20);
            await using var service = await FeatureScenario.StartServiceAsync(endpoints, settings);
            var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events.Take(300));
            await FeatureScenario.WaitForFencesAsync(redis.Url, topic, delivered, Timeout);

            await redis.KillAsync();
            await Eventually.MatchAsync(_ => ReadinessAsync(service), code => code == HttpStatusCode.ServiceUnavailable, Timeout, "readiness red without Redis");
            delivered.AddRange(await FeatureScenario.ProduceAsync(stack, topic, scenario.Events.Skip(300)));

            await redis.DisposeAsync();
            redis = await RedisServerProcess.StartAsync(redis.Port, cancellation.Token, data);
            await FeatureScenario.WaitForFencesAsync(redis.Url, topic, delivered, Timeout);
            await Eventually.MatchAsync(_ => ReadinessAsync(service), code => code == HttpStatusCode.OK, Timeout, "readiness green again");
            Assert.Equal(scenario.Oracle(topic, delivered).Snapshot(),
                await scenario.RedisSnapshotAsync(redis.Url, topic, delivered.Select(d => d.Partition)));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_service_started_while_Redis_is_down_serves_health_writes_nothing_then_catches_up_when_it_is_back()
    {
        var scenario = FeatureScenario.Create(300, seed: 6);
        var topic = await stack.CreateTopicAsync("features-redis-late", partitions: 2);
        using var cancellation = new CancellationTokenSource(Timeout);
        var data = Directory.CreateTempSubdirectory("mlops-redis-late-").FullName;
        var redis = await RedisServerProcess.StartAsync(0, cancellation.Token, data);
        var port = redis.Port;
        await redis.DisposeAsync(); // the port is known; nothing listens on it
        try
        {
            var settings = scenario.Settings(topic, StackFixture.NewGroupId("features-redis-late"), batchSize: 20);
            // The start does not wait for Redis (the layout check retries in the background): liveness answers.
            await using var service = await FeatureScenario.StartServiceAsync(stack.Endpoints with { RedisUrl = $"redis://127.0.0.1:{port}" }, settings);
            var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events);
            using (var live = await service.Client.GetAsync("/health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(service));

            redis = await RedisServerProcess.StartAsync(port, cancellation.Token, data);
            await FeatureScenario.WaitForFencesAsync(redis.Url, topic, delivered, Timeout);
            Assert.Equal(scenario.Oracle(topic, delivered).Snapshot(),
                await scenario.RedisSnapshotAsync(redis.Url, topic, delivered.Select(d => d.Partition)));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_read_api_serves_values_with_ages_and_reports_expired_and_missing_entities()
    {
        var scenario = FeatureScenario.Create(200, seed: 5);
        var topic = await stack.CreateTopicAsync("features-read", partitions: 2);
        var delivered = await FeatureScenario.ProduceAsync(stack, topic, scenario.Events);
        await using var service = await FeatureScenario.StartServiceAsync(stack.Endpoints, scenario.Settings(topic, StackFixture.NewGroupId("features-read")));
        await FeatureScenario.WaitForFencesAsync(stack.Endpoints.RedisUrl, topic, delivered, Timeout);

        var view = scenario.Spec.FeatureViews.Keys.Single(v => v.StartsWith("airport_", StringComparison.Ordinal));
        var oracle = scenario.Oracle(topic, delivered);
        var at = DateTime.UtcNow;
        var atMs = new DateTimeOffset(at).ToUnixTimeMilliseconds();
        var expected = oracle.Read(scenario.Spec.FeatureViews[view], "JFK", atMs);

        var one = await GetJsonAsync(service, $"/v1/features/{view}/JFK?at={at:O}");
        Assert.Equal("fresh", one.GetProperty("status").GetString());
        Assert.Equal(expected.Age!.Value.TotalSeconds, one.GetProperty("age_seconds").GetDouble(), 3);
        foreach (var (name, value) in expected.Values)
        {
            var served = one.GetProperty("values").GetProperty(name);
            Assert.Equal(value is null ? "null" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                served.ValueKind == JsonValueKind.String ? served.GetString() : served.GetRawText());
        }

        var expiredAt = DateTimeOffset.FromUnixTimeMilliseconds(expected.NewestEventTimeMs!.Value).UtcDateTime.AddHours(6).AddSeconds(1);
        Assert.Equal("expired", (await GetJsonAsync(service, $"/v1/features/{view}/JFK?at={expiredAt:O}")).GetProperty("status").GetString());
        Assert.Equal("missing", (await GetJsonAsync(service, $"/v1/features/{view}/XXX")).GetProperty("status").GetString());

        using var unknown = await service.Client.GetAsync("/v1/features/nope/JFK");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(view, await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var batch = await service.Client.PostAsJsonAsync("/v1/features/read", new
        {
            at,
            requests = new[] { new { view, entity = "JFK" }, new { view, entity = "LAX" }, new { view, entity = "XXX" } },
        });
        var results = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(["fresh", "fresh", "missing"], results.EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(one.GetProperty("values").GetRawText(), results[0].GetProperty("values").GetRawText());

        using var invalid = await service.Client.PostAsJsonAsync("/v1/features/read", new { requests = new[] { new { view = "nope", entity = "JFK" } } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("/requests/0/view", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var malformed = await service.Client.PostAsync("/v1/features/read",
            new StringContent("""{"requests": [{"view": "x", "entity": "JFK"}], "at": "yesterday"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("$.at", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The update log has every entity of this run's views, stamped with the view version and lineage; each record
        // carries the entity's values at its newest stored event time, so JFK's last record (one key, one partition:
        // log order) is the oracle at JFK's newest event, however the 200 events were cut into batches.
        var entities = delivered.Select(d => (string)d.Envelope.attributes["origin"]).Distinct().ToHashSet();
        var newest = DateTimeOffset.FromUnixTimeMilliseconds(expected.NewestEventTimeMs!.Value).UtcDateTime;
        var atNewest = oracle.Read(scenario.Spec.FeatureViews[view], "JFK", expected.NewestEventTimeMs!.Value);
        bool IsFinal(MlOps.Contracts.FeatureUpdate u) =>
            u.event_time == newest
            && Equals(atNewest.Values["departures_2h"], u.values["departures_2h"])
            && Equals(atNewest.Values["last_dest"], u.values["last_dest"]);
        var updates = ReadUpdatesUntil(view, found =>
            found.Select(u => u.entity_key).ToHashSet().SetEquals(entities)
            && found.LastOrDefault(u => u.entity_key == "JFK") is { } last && IsFinal(last));
        Assert.Equal(entities.Order(StringComparer.Ordinal), updates.Select(u => u.entity_key).Distinct().Order(StringComparer.Ordinal));
        Assert.All(updates, u => Assert.Equal(("1", topic), (u.view_version, u.lineage.source_topic)));
        var lastJfk = updates.Last(u => u.entity_key == "JFK");
        Assert.Equal(newest, lastJfk.event_time);
        Assert.Equal(atNewest.Values["departures_2h"], lastJfk.values["departures_2h"]);
        Assert.Equal(atNewest.Values["last_dest"], lastJfk.values["last_dest"]);
    }

    [Fact]
    public async Task A_fence_that_keeps_moving_fails_the_batch_transiently_so_it_is_retried_and_never_dead_lettered()
    {
        var scenario = FeatureScenario.Create(3, seed: 6);
        var idle = await stack.CreateTopicAsync("features-fence", partitions: 1);
        await using var service = await FeatureScenario.StartServiceAsync(stack.Endpoints, scenario.Settings(idle, StackFixture.NewGroupId("features-fence")));
        var handler = service.Services.GetRequiredService<ValidatedEventsHandler>();
        var source = $"it.fence.{scenario.Run}";

        // Another writer moving the fence before every attempt, made deterministic: the stored fence is offset 5 in a
        // spelling the script never equals ("0005"), so every apply is refused and re-planned, MaxConflicts times.
        await using (var redis = await stack.ConnectRedisAsync())
        {
            await redis.GetDatabase().HashSetAsync(MlOps.Common.Features.FeatureKeys.Fence, MlOps.Common.Features.FeatureKeys.FenceField(source, 0), "0005:" + long.MinValue);
        }
        using var registry = stack.NewRegistryClient();
        var serializer = new Confluent.SchemaRegistry.Serdes.AvroSerializer<MlOps.Contracts.EventEnvelope>(registry);
        var batch = new List<Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>>();
        foreach (var (envelope, i) in scenario.Events.Select((e, i) => (e, i)))
        {
            batch.Add(new Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>
            {
                Topic = source,
                Partition = 0,
                Offset = 6 + i,
                Message = new Confluent.Kafka.Message<byte[]?, byte[]?>
                {
                    Value = await serializer.SerializeAsync(envelope, new Confluent.Kafka.SerializationContext(Confluent.Kafka.MessageComponentType.Value, source)),
                    Headers = [],
                },
            });
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => handler.HandleAsync(batch, CancellationToken.None));
        Assert.Contains("kept moving", error.Message, StringComparison.Ordinal);
        Assert.True(MlOps.Common.Kafka.TransientErrors.IsTransient(error), $"{error.GetType().Name} must be transient");
    }

    /// <summary>The view's update-log records in log order, read until <paramref name="done"/> holds for them (or the timeout).</summary>
    private List<MlOps.Contracts.FeatureUpdate> ReadUpdatesUntil(string view, Func<List<MlOps.Contracts.FeatureUpdate>, bool> done)
    {
        using var registry = stack.NewRegistryClient();
        using var consumer = new Confluent.Kafka.ConsumerBuilder<string, MlOps.Contracts.FeatureUpdate>(new Confluent.Kafka.ConsumerConfig
            {
                BootstrapServers = stack.Endpoints.KafkaBootstrap,
                GroupId = StackFixture.NewGroupId("updates"),
                AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            })
            .SetValueDeserializer(new Confluent.SchemaRegistry.Serdes.AvroDeserializer<MlOps.Contracts.FeatureUpdate>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(MlOps.Contracts.TopicCatalog.FeaturesUpdates);
        var found = new List<MlOps.Contracts.FeatureUpdate>();
        var deadline = DateTime.UtcNow + Timeout;
        while (!done(found))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the update log did not reach the expected state within {Timeout}: {found.Count} records of view {view}, JFK's last {found.LastOrDefault(u => u.entity_key == "JFK")?.event_time:O}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && result.Message.Value.view == view)
            {
                found.Add(result.Message.Value);
            }
        }
        consumer.Close();
        return found;
    }

    private static async Task<JsonElement> GetJsonAsync(InProcessService service, string path)
    {
        using var response = await service.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<HttpStatusCode> ReadinessAsync(InProcessService service)
    {
        using var response = await service.Client.GetAsync("/health/ready");
        return response.StatusCode;
    }

    /// <summary>Events the store has applied so far (sum over partitions of the fence's position).</summary>
    private async Task<long> AppliedAsync(string topic, IReadOnlyList<Delivered> delivered)
    {
        await using var redis = await stack.ConnectRedisAsync();
        long applied = 0;
        foreach (var partition in delivered.Select(d => d.Partition).Distinct())
        {
            var fence = MlOps.Features.Store.Fence.Decode(await redis.GetDatabase().HashGetAsync(MlOps.Common.Features.FeatureKeys.Fence, MlOps.Common.Features.FeatureKeys.FenceField(topic, partition)));
            applied += delivered.Count(d => d.Partition == partition && d.Offset <= fence.Offset);
        }
        return applied;
    }

    /// <summary>The service as its own process (dotnet MlOps.Features.dll), so it can be killed like a crash.</summary>
    private Process StartChildService(Dictionary<string, string?> settings)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MlOps.Features.dll"));
        info.Environment["KAFKA_BOOTSTRAP"] = stack.Endpoints.KafkaBootstrap;
        info.Environment["SCHEMA_REGISTRY_URL"] = stack.Endpoints.SchemaRegistryUrl;
        info.Environment["REDIS_URL"] = stack.Endpoints.RedisUrl;
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine("[child] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine("[child] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
