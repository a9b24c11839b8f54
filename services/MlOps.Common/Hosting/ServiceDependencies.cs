namespace MlOps.Common.Hosting;

/// <summary>
/// The infrastructure a service uses. Only these have their options required on start and
/// their readiness checks registered, so a service without Redis never needs REDIS_URL.
/// </summary>
[Flags]
public enum ServiceDependencies
{
    None = 0,
    Kafka = 1,
    SchemaRegistry = 2,
    Redis = 4,
    All = Kafka | SchemaRegistry | Redis,
}
