using System.ComponentModel.DataAnnotations;

namespace MlOps.Common.Redis;

/// <summary>Redis settings, bound from <c>Redis</c> (or <c>REDIS_URL</c>, e.g. <c>redis://127.0.0.1:6379</c>).</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    [Required(ErrorMessage = "Redis:Configuration (or REDIS_URL) is required, e.g. '127.0.0.1:6379'.")]
    public string Configuration { get; set; } = "";
}
