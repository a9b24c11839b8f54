using MlOps.Common.Kafka;
using MlOps.Common.Spec;
using MlOps.Features.Store;

namespace MlOps.Features;

/// <summary>A decoded batch with each source partition's apply planned, waiting for <see cref="ValidatedEventsHandler"/> to complete it.</summary>
internal sealed record PreparedBatch(PlatformSpec Spec, ViewCatalog Catalog, List<PoisonMessage> Poison, List<PartitionBatch> Partitions, int Count)
{
    /// <summary>Each partition's current plan, in partition order.</summary>
    public List<WritePlan> Plans() => Partitions.Select(p => p.Apply!.Plan).ToList();
}
