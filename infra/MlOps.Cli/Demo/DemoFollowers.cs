using Confluent.Kafka;
using Confluent.SchemaRegistry;
using MlOps.Common.Kafka;
using MlOps.Contracts;
using MlOps.Stack;

namespace MlOps.Cli.Demo;

/// <summary>The topics the demo's report counts, each followed from its beginning into one <see cref="DemoTally"/>.</summary>
internal sealed class DemoFollowers(StackEndpoints stack, ISchemaRegistryClient registry, DemoTally tally) : IDisposable
{
    /// <summary>How long a catch-up may go without reading a record before it gives up.</summary>
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(30);

    private readonly TopicFollower<EventEnvelope> _raw = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsRaw);
    private readonly TopicFollower<EventEnvelope> _validated = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsValidated);
    private readonly TopicFollower<QuarantinedEvent> _quarantined = new(stack.KafkaBootstrap, registry, TopicCatalog.EventsQuarantine);
    private readonly TopicFollower<Prediction> _predictions = new(stack.KafkaBootstrap, registry, TopicCatalog.Predictions);
    private readonly TopicFollower<Label> _labels = new(stack.KafkaBootstrap, registry, TopicCatalog.Labels);

    public DemoTally Tally => tally;

    /// <summary>Reads what arrived since the last call; true once everything is accounted for.</summary>
    public async Task<bool> CatchUpAsync(CancellationToken ct)
    {
        try
        {
            await _raw.CatchUpAsync((_, e) => { if (e is not null) tally.OnRaw(e); }, Stalled, ct);
            await _validated.CatchUpAsync((_, e) => { if (e is not null) tally.OnValidated(e); }, Stalled, ct);
            await _quarantined.CatchUpAsync((_, q) => { if (q is not null) tally.OnQuarantined(q); }, Stalled, ct);
            await _predictions.CatchUpAsync((_, p) => { if (p is not null) tally.OnPrediction(p); }, Stalled, ct);
            await _labels.CatchUpAsync((_, l) => { if (l is not null) tally.OnLabel(l); }, Stalled, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or KafkaException)
        {
            throw CliErrors.Reading(ex);
        }
        return tally.Drained;
    }

    public void Dispose()
    {
        _raw.Dispose();
        _validated.Dispose();
        _quarantined.Dispose();
        _predictions.Dispose();
        _labels.Dispose();
    }
}
