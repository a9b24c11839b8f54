using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlOps.Common.Kafka;
using MlOps.IntegrationTests.Infrastructure;

namespace MlOps.IntegrationTests.Kafka;

/// <summary>A <see cref="KafkaConsumerWorker"/> and its producer wired by hand against the test stack.</summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    private WorkerHarness(KafkaProducer producer, KafkaConsumerWorker worker)
    {
        Producer = producer;
        Worker = worker;
    }

    public KafkaProducer Producer { get; }
    public KafkaConsumerWorker Worker { get; }

    public static async Task<WorkerHarness> StartAsync(
        StackFixture stack, ConsumerWorkerOptions options, IKafkaBatchHandler handler, KafkaOptions? kafka = null)
    {
        kafka ??= stack.Kafka;
        var producer = new KafkaProducer(Options.Create(kafka), NullLogger<KafkaProducer>.Instance);
        var worker = new KafkaConsumerWorker(options, kafka, handler,
            new DeadLetterPublisher(producer, TimeProvider.System), NullLogger<KafkaConsumerWorker>.Instance);
        await worker.StartAsync(CancellationToken.None);
        return new WorkerHarness(producer, worker);
    }

    /// <summary>Stops the worker (drain, commit, close) and releases the producer; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync(CancellationToken.None);
        Worker.Dispose();
        Producer.Dispose();
    }
}
