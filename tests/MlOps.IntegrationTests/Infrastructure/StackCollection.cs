namespace MlOps.IntegrationTests.Infrastructure;

/// <summary>Test classes in this collection share one stack (started once per test run).</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
