using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// The transitions published under one rollout key, as a restarted controller reads them back: which belong to a
/// rollout record, the latest of them, and the newest deployment revision they published.
/// </summary>
public sealed class RolloutHistory
{
    private readonly List<RolloutEvent> _events = [];
    private RolloutEvent? _latest;

    /// <summary>The latest transition of one rollout, and the newest deployment revision its transitions published.</summary>
    public sealed record Transitions(RolloutEvent? Last, long? PublishedRevision);

    /// <summary>Adds a transition; the same one again (the controller records what it publishes, then reads it back) is skipped.</summary>
    public void Add(RolloutEvent rolloutEvent)
    {
        // Read back, the time has lost what it had below the millisecond (Avro timestamp-millis).
        if (!_events.Exists(e => Math.Abs((e.at - rolloutEvent.at).TotalMilliseconds) < 1 && e.action == rolloutEvent.action && e.to_stage == rolloutEvent.to_stage
                && e.deployment_revision == rolloutEvent.deployment_revision && e.rollout_created_at == rolloutEvent.rollout_created_at))
        {
            _events.Add(rolloutEvent);
            if (_latest is null || rolloutEvent.at >= _latest.at) _latest = rolloutEvent;
        }
    }

    /// <summary>The transitions kept, in the order read.</summary>
    public IReadOnlyList<RolloutEvent> Events => _events;

    /// <summary>The latest transition under the key (of equal times, the one read last), or null.</summary>
    public RolloutEvent? Latest => _latest;

    /// <summary>The transitions of the rollout <paramref name="spec"/> is the record of.</summary>
    public Transitions Of(MlOps.Contracts.Rollout spec) => Summarize(_events.Where(e => BelongsTo(e, spec)));

    /// <summary>The transitions of the rollout <paramref name="rolloutEvent"/> is one of (for a rollout whose record is gone).</summary>
    public Transitions OfSameRollout(RolloutEvent rolloutEvent) => Summarize(_events.Where(e =>
        e.candidate_model == rolloutEvent.candidate_model && e.candidate_rules == rolloutEvent.candidate_rules
        && e.rollout_created_at == rolloutEvent.rollout_created_at));

    /// <summary>
    /// Whether <paramref name="rolloutEvent"/> is a transition of the rollout <paramref name="spec"/> is the record of:
    /// by the created_at of the record it carries. An event written before it carried one is matched by candidate and
    /// by not predating the record, which compares the CLI's clock with the controller's.
    /// </summary>
    public static bool BelongsTo(RolloutEvent rolloutEvent, MlOps.Contracts.Rollout spec) =>
        rolloutEvent.candidate_model == spec.candidate_model && rolloutEvent.candidate_rules == spec.candidate_rules
        && (rolloutEvent.rollout_created_at is { } created ? created == spec.created_at : rolloutEvent.at >= spec.created_at);

    private static Transitions Summarize(IEnumerable<RolloutEvent> events)
    {
        var list = events.ToList();
        return new Transitions(Newest(list), list.Select(e => e.deployment_revision).Max());
    }

    private static RolloutEvent? Newest(IEnumerable<RolloutEvent> events) =>
        events.Aggregate((RolloutEvent?)null, (newest, e) => newest is null || e.at >= newest.at ? e : newest);
}
