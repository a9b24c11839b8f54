namespace MlOps.Training;

/// <summary>A source row that could not be used, with its index in the file and why.</summary>
public sealed record SkippedRow(int Index, string Reason)
{
    public override string ToString() => $"row {Index}: {Reason}";
}
