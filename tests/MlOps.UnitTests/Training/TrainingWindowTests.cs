using MlOps.Training;

namespace MlOps.UnitTests.Training;

public sealed class TrainingWindowTests
{
    private static readonly DateTime Day = new(2001, 2, 1);

    /// <summary>One row every 6 hours over 3 days: 00:00, 06:00, … of Feb 1–3.</summary>
    private static readonly IReadOnlyList<DateTime> Times = Enumerable.Range(0, 12).Select(i => Day.AddHours(6 * i)).ToList();

    [Fact]
    public void Within_keeps_from_inclusive_and_to_exclusive()
    {
        var rows = ChronologicalSplit.Within(Times, t => t, Day.AddDays(1), Day.AddDays(2));

        Assert.Equal([Day.AddHours(24), Day.AddHours(30), Day.AddHours(36), Day.AddHours(42)], rows);
    }

    [Fact]
    public void A_missing_bound_leaves_that_side_open()
    {
        Assert.Equal(Times, ChronologicalSplit.Within(Times, t => t, null, null));
        Assert.Equal(Times.Take(4), ChronologicalSplit.Within(Times, t => t, null, Day.AddDays(1)));
        Assert.Equal(Times.Skip(8), ChronologicalSplit.Within(Times, t => t, Day.AddDays(2), null));
        Assert.Empty(ChronologicalSplit.Within(Times, t => t, Day.AddDays(5), null));
    }

    [Fact]
    public void A_holdout_cut_trains_on_the_rows_before_it_and_holds_out_the_rows_from_it()
    {
        var (train, holdout) = ChronologicalSplit.Split(Times, t => t, Day.AddHours(54));

        Assert.Equal(Times.Take(9), train);
        Assert.Equal(Times.Skip(9), holdout); // 54:00 itself is held out
    }

    [Theory]
    [InlineData("2001-02-01", 2001, 2, 1, 0, 0)]
    [InlineData("2001-03-31T22:27", 2001, 3, 31, 22, 27)]
    public void Times_are_a_date_or_a_date_and_minute(string text, int year, int month, int day, int hour, int minute)
    {
        Assert.True(TrainingWindow.TryParseTime(text, out var time));
        Assert.Equal(new DateTime(year, month, day, hour, minute, 0), time);
        Assert.Equal(text.Length == 10 ? text + "T00:00" : text, TrainingWindow.Format(time));
    }

    [Theory]
    [InlineData("2001-02-30")]
    [InlineData("2001/02/01")]
    [InlineData("2001-02-01 10:00")]
    [InlineData("2001-02-01T10:00:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void Anything_else_is_not_a_time(string text)
    {
        Assert.False(TrainingWindow.TryParseTime(text, out _));
    }

    [Fact]
    public void A_consistent_window_has_no_problems()
    {
        Assert.Empty(TrainingWindow.All.Problems());
        Assert.Empty(new TrainingWindow(Day, Day.AddDays(3), Day.AddDays(2)).Problems());
        Assert.Empty(new TrainingWindow(HoldoutFrom: Day).Problems());
    }

    [Fact]
    public void An_empty_range_or_a_holdout_cut_outside_it_is_named_with_its_options_and_values()
    {
        Assert.Equal(["--from 2001-02-03T00:00 is not before --to 2001-02-01T00:00: the range is empty"],
            new TrainingWindow(Day.AddDays(2), Day).Problems());
        Assert.Equal(["--from 2001-02-01T00:00 is not before --to 2001-02-01T00:00: the range is empty"],
            new TrainingWindow(Day, Day).Problems());
        Assert.Equal(["--holdout-from 2001-02-01T00:00 is not after --from 2001-02-01T00:00: nothing would be left to train on"],
            new TrainingWindow(Day, HoldoutFrom: Day).Problems());
        Assert.Equal(["--holdout-from 2001-02-04T12:00 is not before --to 2001-02-04T00:00: nothing would be left to hold out"],
            new TrainingWindow(To: Day.AddDays(3), HoldoutFrom: Day.AddDays(3.5)).Problems());
    }
}
