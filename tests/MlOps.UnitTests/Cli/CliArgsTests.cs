using MlOps.Cli;

namespace MlOps.UnitTests.Cli;

public sealed class CliArgsTests
{
    [Fact]
    public void Flags_values_and_defaults_are_read()
    {
        var args = CliArgs.Parse(["--detach", "--brokers", "5"]);

        Assert.True(args.Flag("detach"));
        Assert.Equal(5, args.Int("brokers", 3, min: 1));
        Assert.Equal(0, args.Int("redis-port", 0));
        Assert.False(args.Flag("verbose"));
    }

    [Theory]
    [InlineData(new[] { "--brokers", "zero" }, "--brokers must be an integer >= 1 (got 'zero')")]
    [InlineData(new[] { "--brokers", "0" }, "--brokers must be an integer >= 1 (got '0')")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    public void Bad_arguments_are_errors_that_name_the_argument(string[] argv, string message)
    {
        var error = Assert.Throws<CliException>(() => CliArgs.Parse(argv).Int("brokers", 3, min: 1));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_missing_required_option_is_named() =>
        Assert.Equal("--topic is required", Assert.Throws<CliException>(() => CliArgs.Parse([]).Required("topic")).Message);
}
