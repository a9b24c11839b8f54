using MlOps.Contracts;
using MlOps.Training;

namespace MlOps.Cli.Replay;

/// <summary>What a replay publishes at one moment of event time: a departure, or an arrival with its label.</summary>
/// <param name="At">Event time of publication: the departure's time, or the arrival's landing plus the reporting lag.</param>
internal sealed record ReplayItem(DateTime At, FlightRecord Flight, EventEnvelope Event, Label? Label)
{
    public bool IsDeparture => Label is null;
}
