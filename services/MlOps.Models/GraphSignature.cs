namespace MlOps.Models;

/// <summary>One input or output of an ONNX graph as the graph declares it (-1 = a symbolic dimension).</summary>
public sealed record GraphNode(string Name, string ElementType, IReadOnlyList<long> Shape);

/// <summary>What an ONNX graph declares: its inputs and outputs by name.</summary>
public sealed record GraphSignature(IReadOnlyDictionary<string, GraphNode> Inputs, IReadOnlyDictionary<string, GraphNode> Outputs);
