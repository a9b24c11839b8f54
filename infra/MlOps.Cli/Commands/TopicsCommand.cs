using MlOps.Contracts;

namespace MlOps.Cli.Commands;

internal static class TopicsCommand
{
    public static int Run()
    {
        Console.WriteLine($"{"topic",-34} {"parts",5} {"cleanup",-8} {"key",-26} value");
        foreach (var topic in TopicCatalog.All)
        {
            Console.WriteLine($"{topic.Name,-34} {topic.Partitions,5} {topic.Cleanup.ToString().ToLowerInvariant(),-8} {topic.Key,-26} {topic.ValueType?.Name ?? "raw bytes"}");
        }
        return 0;
    }
}
