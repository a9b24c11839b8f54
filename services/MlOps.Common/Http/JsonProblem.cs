namespace MlOps.Common.Http;

/// <summary>One structural problem in the request body, located by JSON pointer ("" is the whole body).</summary>
public sealed record JsonProblem(string Pointer, string Message);
