using Xunit;

namespace MlOps.UnitTests.Avro;

/// <summary>Tests that measure allocations run with nothing else in flight.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}
