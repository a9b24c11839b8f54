using MlOps.Contracts;

namespace MlOps.UnitTests.Contracts;

public sealed class TopicCatalogTests
{
    [Fact]
    public void Catalog_holds_every_topic_named_in_the_design_with_unique_names()
    {
        string[] designTopics =
        [
            "mlops.events.raw", "mlops.events.validated", "mlops.events.quarantine", "mlops.features.updates",
            "mlops.predictions", "mlops.labels", "mlops.predictions.labeled", "mlops.model-metrics",
            "mlops.drift-reports", "mlops.alerts", "mlops.alert-notifications", "mlops.models", "mlops.deployments",
        ];

        Assert.All(designTopics, name => Assert.True(TopicCatalog.Contains(name), name));
        Assert.Equal(TopicCatalog.All.Count, TopicCatalog.All.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Registry_topics_are_compacted_and_every_data_topic_has_an_avro_contract()
    {
        Assert.Equal(CleanupPolicy.Compact, TopicCatalog.Get(TopicCatalog.Models).Cleanup);
        Assert.Equal(CleanupPolicy.Compact, TopicCatalog.Get(TopicCatalog.Deployments).Cleanup);
        Assert.All(TopicCatalog.All.Where(t => !t.IsDeadLetter), t => Assert.NotNull(ContractSchemas.For(t.ValueType!.FullName!)));
        Assert.All(TopicCatalog.All, t => Assert.InRange(t.Partitions, 1, 64));
    }

    [Fact]
    public void Every_consumed_topic_has_a_dead_letter_topic()
    {
        string[] consumed = [TopicCatalog.EventsRaw, TopicCatalog.EventsValidated, TopicCatalog.Predictions, TopicCatalog.Labels, TopicCatalog.Alerts];

        Assert.All(consumed, name => Assert.True(TopicCatalog.Contains(TopicCatalog.Get(name).DeadLetterTopic), name));
        Assert.Null(TopicCatalog.Get("mlops.events.raw.dlq").ValueType);
    }

    [Fact]
    public void Unknown_topic_error_names_the_topic_and_the_catalog()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => TopicCatalog.Get("mlops.nope"));

        Assert.Contains("mlops.nope", ex.Message);
        Assert.Contains("TopicCatalog", ex.Message);
    }
}
