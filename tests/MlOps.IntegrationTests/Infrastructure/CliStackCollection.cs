namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that start a whole stack of their own through the CLI (four service processes each): one at a time, and not
/// next to the shared-stack tests, so two cores are not split between several stacks racing their deadlines.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliStackCollection
{
    public const string Name = "CLI stacks";
}
