using MlOps.Common.Alerts;
using MlOps.Common.Spec;
using MlOps.Ingestion.Pipeline;

namespace MlOps.Ingestion.Quality;

/// <summary>Feeds outcomes to the <see cref="DataQualityEvaluator"/> and publishes the alerts it decides on.</summary>
public sealed class DataQualityMonitor(DataQualityEvaluator evaluator, AlertPublisher alerts)
{
    public async Task ObserveAsync(PlatformSpec spec, IReadOnlyList<IncomingEvent> inputs, IReadOnlyList<IngestionOutcome> outcomes, CancellationToken ct)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (outcomes[i].Outcome == Outcome.Duplicate
                || inputs[i].Envelope is not { } envelope
                || !spec.Contracts.TryGetValue(envelope.event_type ?? "", out var contract))
            {
                continue;
            }
            foreach (var alert in evaluator.Record(contract, outcomes[i].Outcome == Outcome.Quarantined, envelope.attributes?.AsReadOnly()))
            {
                await alerts.PublishAsync(alert, spec.VersionTag, ct);
            }
        }
    }
}
