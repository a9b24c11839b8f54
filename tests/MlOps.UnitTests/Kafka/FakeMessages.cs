using System.Text;
using Confluent.Kafka;

namespace MlOps.UnitTests.Kafka;

internal static class FakeMessages
{
    public static ConsumeResult<byte[]?, byte[]?> At(long offset, int partition = 0, string topic = "t") => new()
    {
        Topic = topic,
        Partition = partition,
        Offset = offset,
        Message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("m-" + offset), Headers = [] },
    };

    public static ConsumeResult<byte[]?, byte[]?>[] Range(int count) => Enumerable.Range(0, count).Select(i => At(i)).ToArray();
}
