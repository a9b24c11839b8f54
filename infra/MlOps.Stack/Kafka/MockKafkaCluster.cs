using System.Runtime.InteropServices;
using System.Text;
using MlOps.Contracts;

namespace MlOps.Stack.Kafka;

/// <summary>
/// librdkafka's in-process Kafka-protocol mock cluster: N brokers on 127.0.0.1 that any Kafka client in any
/// process can use. For development, CI and demos only: no persistence, retention or compaction.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly int _brokers;
    private bool _disposed;

    private MockKafkaCluster(IntPtr handle, IntPtr cluster, int brokers)
    {
        _handle = handle;
        _cluster = cluster;
        _brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("mock cluster returned no bootstrap servers");
    }

    /// <summary>Comma-separated host:port list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a cluster with <paramref name="brokers"/> brokers.</summary>
    /// <param name="initialRebalanceDelay">Consumer-group join delay; the broker default (3 s) slows tests and demos.</param>
    public static MockKafkaCluster Start(int brokers = 3, TimeSpan? initialRebalanceDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var errors = new byte[512];
        var conf = LibRdKafka.rd_kafka_conf_new();
        // The hosting client only owns the cluster; keep its own logging quiet.
        if (LibRdKafka.rd_kafka_conf_set(conf, "log_level", "3", errors, (UIntPtr)errors.Length) != 0)
        {
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("rd_kafka_conf_set failed: " + Encoding.UTF8.GetString(errors).TrimEnd('\0'));
        }
        var handle = LibRdKafka.rd_kafka_new(LibRdKafka.ProducerType, conf, errors, (UIntPtr)errors.Length);
        if (handle == IntPtr.Zero)
        {
            // rd_kafka_new takes ownership of the conf only when it succeeds.
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(errors).TrimEnd('\0'));
        }
        var cluster = LibRdKafka.rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            LibRdKafka.rd_kafka_destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        LibRdKafka.rd_kafka_mock_group_initial_rebalance_delay_ms(
            cluster, (int)(initialRebalanceDelay ?? TimeSpan.FromMilliseconds(200)).TotalMilliseconds);
        return new MockKafkaCluster(handle, cluster, brokers);
    }

    /// <summary>Creates a topic directly in the mock (it does not implement the CreateTopics admin API).</summary>
    public void CreateTopic(string name, int partitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var err = LibRdKafka.rd_kafka_mock_topic_create(_cluster, name, partitions, Math.Min(3, _brokers));
        if (err != 0)
        {
            throw new InvalidOperationException(
                $"creating topic '{name}' failed: {Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_err2str(err))}");
        }
    }

    /// <summary>Creates every topic of the catalog with its partition count.</summary>
    public void CreateCatalogTopics()
    {
        foreach (var topic in TopicCatalog.All)
        {
            CreateTopic(topic.Name, topic.Partitions);
        }
    }

    /// <summary>Takes a broker down (1-based id) to test client behaviour under failure.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibRdKafka.rd_kafka_mock_broker_set_down(_cluster, brokerId));

    public void SetBrokerUp(int brokerId) => Check(LibRdKafka.rd_kafka_mock_broker_set_up(_cluster, brokerId));

    /// <summary>
    /// Makes <paramref name="brokerId"/> the leader of one partition, so a test can take down the broker behind some
    /// partitions of a topic and not others (writes to the others keep succeeding).
    /// </summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(LibRdKafka.rd_kafka_mock_partition_set_leader(_cluster, topic, partition, brokerId));

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of a consumer group, so it stays reachable while another broker is down.</summary>
    public void SetGroupCoordinator(string groupId, int brokerId) =>
        Check(LibRdKafka.rd_kafka_mock_coordinator_set(_cluster, "group", groupId, brokerId));

    private static void Check(int err)
    {
        if (err != 0)
        {
            throw new InvalidOperationException(Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_err2str(err)));
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        LibRdKafka.rd_kafka_mock_cluster_destroy(_cluster);
        LibRdKafka.rd_kafka_destroy(_handle);
    }
}
