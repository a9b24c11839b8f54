using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>One source partition's part of a batch: its events, the newest trace and the apply prepared for it.</summary>
internal sealed class PartitionBatch(string topic, int partition)
{
    public string Topic { get; } = topic;
    public int Partition { get; } = partition;
    public List<FeatureEvent> Events { get; } = [];
    public string? Trace { get; set; }
    public PreparedApply? Apply { get; set; }

    /// <summary>The first attempt's script (or nothing, when nothing is to apply) went out without awaiting anything.</summary>
    public bool Sent { get; set; }

    /// <summary>Applied by that first script as sent (no conflict, no resend): a read-back queued behind it sees its effect.</summary>
    public bool InOrder { get; set; }
}
