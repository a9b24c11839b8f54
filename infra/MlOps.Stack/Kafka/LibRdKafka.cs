using System.Reflection;
using System.Runtime.InteropServices;

namespace MlOps.Stack.Kafka;

/// <summary>
/// P/Invoke surface of librdkafka's mock cluster (src/rdkafka_mock.h). Only non-variadic entry points are used:
/// varargs P/Invoke is unsupported on Linux.
/// </summary>
internal static partial class LibRdKafka
{
    private const string Lib = "librdkafka";

    // Debian 12 lacks libsasl2.so.3, which the generic build needs; the CentOS 8 build in the same NuGet folder loads.
    private static readonly string[] Candidates =
    [
        "runtimes/linux-x64/native/librdkafka.so",
        "runtimes/linux-x64/native/centos8-librdkafka.so",
        "librdkafka.so.1",
    ];

    static LibRdKafka() => NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib)
        {
            return IntPtr.Zero;
        }
        foreach (var candidate in Candidates)
        {
            var full = Path.Combine(AppContext.BaseDirectory, candidate);
            if (NativeLibrary.TryLoad(File.Exists(full) ? full : candidate, out var handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException("librdkafka not loadable; tried " + string.Join(", ", Candidates));
    }

    public const int ProducerType = 0;

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Lib)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(Lib)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Lib)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(IntPtr cluster, string topic, int partition, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_coordinator_set(IntPtr cluster, string keyType, string key, int brokerId);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_err2str(int err);
}
