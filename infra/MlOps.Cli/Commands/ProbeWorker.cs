using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using MlOps.Common.Kafka;
using MlOps.Stack;

namespace MlOps.Cli.Commands;

/// <summary>
/// Runs the platform's <see cref="KafkaConsumerWorker"/> with a handler whose durable effect is a line
/// 'partition:offset' appended (and flushed) to a file. Killing this process at any moment and starting it again
/// shows the at-least-once contract from outside: every offset appears, duplicates at most one batch.
/// </summary>
internal static class ProbeWorker
{
    public static async Task<int> RunAsync(StackEndpoints stack, CliArgs args)
    {
        var options = new ConsumerWorkerOptions
        {
            Name = "probe",
            Topics = [args.Required("topic")],
            GroupId = args.Required("group"),
            MaxBatchSize = args.Int("batch", 50, min: 1),
        };
        var kafka = new KafkaOptions { BootstrapServers = stack.KafkaBootstrap, ClientId = "mlops-probe" };
        // A short session lets a restarted probe take over a killed one's partitions quickly.
        kafka.Consumer["session.timeout.ms"] = args.Int("session-timeout-ms", 45_000, min: 1).ToString(CultureInfo.InvariantCulture);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        using var producer = new KafkaProducer(Microsoft.Extensions.Options.Options.Create(kafka), loggers.CreateLogger<KafkaProducer>());
        await using var output = new FileStream(args.Required("out"), FileMode.Append, FileAccess.Write, FileShare.Read);
        using var worker = new KafkaConsumerWorker(options, kafka, new AppendOffsetsHandler(output, TimeSpan.FromMilliseconds(args.Int("delay-ms", 0))),
            new DeadLetterPublisher(producer, TimeProvider.System), loggers.CreateLogger<KafkaConsumerWorker>());

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        await worker.StartAsync(stop.Token);
        Console.WriteLine("probe worker running");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await worker.StopAsync(CancellationToken.None);
        return 0;
    }

    private sealed class AppendOffsetsHandler(FileStream output, TimeSpan delay) : IKafkaBatchHandler
    {
        public async Task<IReadOnlyList<PoisonMessage>> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
        {
            foreach (var message in batch)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"{message.Partition.Value}:{message.Offset.Value}\n");
                await output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line), ct);
                // One message at a time on disk, so a kill mid-batch leaves a partial batch: the worst case.
                await output.FlushAsync(ct);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, ct); // simulates a slow sink, so a kill lands mid-batch
                }
            }
            return [];
        }
    }
}
