using MlOps.Common.Redis;
using StackExchange.Redis;
using Xunit;

namespace MlOps.UnitTests.Redis;

public sealed class RedisUrlTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6379", "127.0.0.1:6379")]
    [InlineData("redis://cache", "cache:6379")]
    [InlineData("redis://:s3cret@cache:6380/2", "cache:6380,password=s3cret,defaultDatabase=2")]
    [InlineData("redis://app:p%40ss@cache:6380", "cache:6380,user=app,password=p@ss")]
    [InlineData("rediss://cache:6380/0", "cache:6380,defaultDatabase=0,ssl=true")]
    [InlineData("REDIS://Cache:6379/", "cache:6379")]
    public void RedisUrlBecomesAStackExchangeConfiguration(string url, string expected) =>
        Assert.Equal(expected, RedisUrl.ToConfiguration(url));

    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1:6379")]
    [InlineData("  cache:6379,abortConnect=false ", "cache:6379,abortConnect=false")]
    public void ValueWithoutSchemeIsAlreadyAConfigurationAndPassesThrough(string value, string expected) =>
        Assert.Equal(expected, RedisUrl.ToConfiguration(value));

    [Fact]
    public void ConvertedUrlCarriesPasswordAndDatabaseIntoStackExchangeRedis()
    {
        var options = ConfigurationOptions.Parse(RedisUrl.ToConfiguration("redis://:s3cret@cache:6380/5"));

        Assert.Equal("s3cret", options.Password);
        Assert.Equal(5, options.DefaultDatabase);
        Assert.Equal("cache:6380", Assert.Single(options.EndPoints).ToString()?.Replace("Unspecified/", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("http://cache:6379")]
    [InlineData("redis://")]
    [InlineData("redis://cache:6379/zero")]
    [InlineData("redis://cache:6379/1/2")]
    [InlineData("redis://cache:6379/-1")]
    [InlineData("redis://cache:6379/0?timeout=5")]
    [InlineData("redis://:a,b@cache:6379")]
    public void MalformedUrlIsRejectedNamingRedisUrl(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisUrl.ToConfiguration(url));

        Assert.Contains("REDIS_URL", ex.Message, StringComparison.Ordinal);
        Assert.Equal("url", ex.ParamName);
    }

    [Fact]
    public void RejectionNeverEchoesThePassword()
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisUrl.ToConfiguration("redis://:topsecret@cache:6379/db"));

        Assert.DoesNotContain("topsecret", ex.Message, StringComparison.Ordinal);
    }
}
