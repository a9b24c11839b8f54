namespace MlOps.Training;

/// <summary>One source row's five fields as the file gave them: null where a field is missing or not of its type.</summary>
/// <param name="Date">The departure's wall clock, whatever <see cref="DateTime.Kind"/> the reader gave it.</param>
internal readonly record struct FlightFields(DateTime? Date, double? Delay, double? Distance, string? Origin, string? Destination);
