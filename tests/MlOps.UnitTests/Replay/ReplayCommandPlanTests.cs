using MlOps.Cli;
using MlOps.Cli.Commands;
using MlOps.UnitTests.Training;

namespace MlOps.UnitTests.Replay;

/// <summary>What <c>./mlops replay &lt;file&gt;</c> plans from a file, before any stack is involved.</summary>
public sealed class ReplayCommandPlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlops-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ReplayCommand.Request Request(string file, int? limit = null) => new(file, 0, limit, TimeSpan.FromMinutes(30), "bts");

    [Fact]
    public async Task A_parquet_file_is_planned_like_a_json_file_with_its_counts_and_start()
    {
        FlightFiles.Row[] rows =
        [
            new("2001/01/01 00:05", 33, 2176, "LAS", "PHL"),
            new("2001/01/01 00:01", -13, 2345, "ANC", "LAX"),
            new("2001/01/01 00:02", 14, 405, "mci", "MDW"),
            new("2001/01/01 00:03", 19, 215, "ATL", "SAV"),
        ];
        var parquet = await FlightFiles.WriteParquetAsync(Path.Combine(_dir, "flights-3m.parquet"), rows);
        var json = FlightFiles.WriteJson(Path.Combine(_dir, "flights-3m.json"), rows);

        var plan = await ReplayCommand.PlanAsync(Request(parquet, limit: 2), CancellationToken.None);

        Assert.Equal((2, 4, new DateTime(2001, 1, 1, 0, 1, 0), 1), (plan.Departures, plan.Total, plan.Start, plan.Skipped));
        var items = plan.Items.ToList();
        // ATL-SAV (215 mi) lands long before ANC-LAX (2,345 mi).
        Assert.Equal(["flights-3m/1/departure", "flights-3m/3/departure", "flights-3m/3/arrival", "flights-3m/1/arrival"], items.Select(i => i.Event.event_id));
        Assert.Equal(items.Select(i => (i.At, i.Event.event_id)), (await ReplayCommand.PlanAsync(Request(json, limit: 2), CancellationToken.None)).Items.Select(i => (i.At, i.Event.event_id)));
    }

    [Fact]
    public async Task Another_format_is_refused_naming_the_file_and_the_supported_ones()
    {
        var arrow = Path.Combine(_dir, "flights-200k.arrow");
        File.WriteAllBytes(arrow, [1, 2, 3]);

        var error = await Assert.ThrowsAsync<CliException>(() => ReplayCommand.PlanAsync(Request(arrow), CancellationToken.None));

        Assert.Equal(
            $"replay: {arrow}: cannot read '.arrow' files as flights; supported: .json (vega-datasets flights-*.json) and .parquet (flights-3m.parquet)",
            error.Message);
    }
}
