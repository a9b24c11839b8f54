using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class TrainCommandTests
{
    private static TrainingRequest RequestOf(params string[] args) => TrainCommand.RequestOf(CliArgs.Parse(args), Specs.Root, "flights.json");

    [Fact]
    public void Without_options_the_request_is_fasttree_on_every_departure_with_the_80_20_split()
    {
        var request = RequestOf();

        Assert.Equal(TrainerKind.FastTree, request.Trainer);
        Assert.Equal(TrainingWindow.All, request.Window);
        Assert.Equal((0.8, (int?)null, "1"), (request.TrainFraction, request.MaxRows, request.Version));
        Assert.Equal(Path.Combine(Specs.Root, "models", "flight-delay"), request.OutDirectory);
    }

    [Fact]
    public void The_trainer_window_and_rows_options_reach_the_request()
    {
        var request = RequestOf(
            "--trainer", "logistic", "--version", "2", "--from", "2001-02-01", "--to", "2001-03-01T12:30", "--holdout-from", "2001-02-20", "--rows", "500");

        Assert.Equal(TrainerKind.Logistic, request.Trainer);
        Assert.Equal(new TrainingWindow(new DateTime(2001, 2, 1), new DateTime(2001, 3, 1, 12, 30, 0), new DateTime(2001, 2, 20)), request.Window);
        Assert.Equal((500, "2"), (request.MaxRows, request.Version));
    }

    [Theory]
    [InlineData(new[] { "--trainer", "xgboost" }, "--trainer must be one of fasttree, logistic (got 'xgboost')")]
    [InlineData(new[] { "--trainer", "FastTree" }, "--trainer must be one of fasttree, logistic (got 'FastTree')")]
    [InlineData(new[] { "--trainer" }, "--trainer needs a value")]
    [InlineData(new[] { "--from", "2001-02-30" }, "--from must be yyyy-MM-dd or yyyy-MM-ddTHH:mm (got '2001-02-30')")]
    [InlineData(new[] { "--to", "March" }, "--to must be yyyy-MM-dd or yyyy-MM-ddTHH:mm (got 'March')")]
    [InlineData(new[] { "--holdout-from", "2001-03-01 10:00" }, "--holdout-from must be yyyy-MM-dd or yyyy-MM-ddTHH:mm (got '2001-03-01 10:00')")]
    [InlineData(new[] { "--from", "2001-03-01", "--to", "2001-02-01" }, "--from 2001-03-01T00:00 is not before --to 2001-02-01T00:00: the range is empty")]
    [InlineData(new[] { "--to", "2001-02-01", "--holdout-from", "2001-02-01" },
        "--holdout-from 2001-02-01T00:00 is not before --to 2001-02-01T00:00: nothing would be left to hold out")]
    public void A_bad_option_is_refused_naming_it_and_its_value(string[] args, string error)
    {
        var ex = Assert.Throws<CliException>(() => RequestOf(args));

        Assert.Equal(error, ex.Message);
    }
}
