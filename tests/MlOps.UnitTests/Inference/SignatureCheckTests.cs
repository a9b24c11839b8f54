using MlOps.Contracts;
using MlOps.Models;

namespace MlOps.UnitTests.Inference;

public sealed class SignatureCheckTests
{
    private static GraphNode Node(string name, string type, params long[] shape) => new(name, type, shape);

    private static GraphSignature Graph(IEnumerable<GraphNode> inputs, params GraphNode[] outputs) => new(
        inputs.ToDictionary(n => n.Name, StringComparer.Ordinal),
        outputs.ToDictionary(n => n.Name, StringComparer.Ordinal));

    private static readonly GraphNode Probability = Node("Probability.output", "float32", -1, 1);

    internal static ModelInput Input(string feature, string onnx, string type = "float32", object? @default = null, params long[] shape) => new()
    {
        feature = feature,
        onnx_input = onnx,
        type = type,
        shape = shape.Length == 0 ? [-1, 1] : shape.ToList(),
        default_value = @default,
    };

    internal static ModelVersion Version(params ModelInput[] inputs) => new()
    {
        model_name = "delay",
        version = "1",
        format = "onnx",
        artifact_uri = "delay/1/delay-1.onnx",
        artifact_sha256 = new string('0', 64),
        inputs = inputs.ToList(),
        outputs = ["Probability.output"],
        probability_output = "Probability.output",
        label_output = null,
        training_metrics = new Dictionary<string, double>(),
    };

    [Fact]
    public void A_signature_that_feeds_every_graph_input_with_its_type_and_shape_has_no_problems()
    {
        var version = Version(
            Input("event.distance", "distance"),
            Input("origin_traffic.departures_1h", "departures", @default: 0.0),
            Input("event.origin", "origin", "string", shape: [-1]));
        var graph = Graph([Node("distance", "float32", -1, 1), Node("departures", "float32", -1, 1), Node("origin", "string", -1)], Probability);

        Assert.Empty(SignatureCheck.Problems(version, graph));
    }

    [Fact]
    public void Every_mismatch_is_reported_with_the_feature_and_input_it_concerns()
    {
        var version = Version(
            Input("event.distance", "distance", "float64"),          // graph says float32
            Input("origin_traffic.departures_1h", "departures", shape: [-1, 3]), // graph says [-1, 1]
            Input("event.month", "no_such_input"),                   // graph has no such input
            Input("departures", "dep2"),                             // not event.<attr> or <view>.<feature>
            Input("event.dep_hour", "hour", "int64", @default: 1.5)); // default does not fit int64
        var graph = Graph(
            [Node("distance", "float32", -1, 1), Node("departures", "float32", -1, 1), Node("dep2", "float32", -1, 1),
             Node("hour", "int64", -1, 1), Node("unfed", "float32", -1, 1)],
            Probability);

        var problems = SignatureCheck.Problems(version, graph);

        Assert.Contains(problems, p => p.Contains("'distance'") && p.Contains("graph declares float32, the signature says float64"));
        Assert.Contains(problems, p => p.Contains("'departures'") && p.Contains("shape [-1, 1], the signature says [-1, 3]"));
        Assert.Contains(problems, p => p.Contains("no input named 'no_such_input'"));
        Assert.Contains(problems, p => p.Contains("feature must be 'event.<attribute>' or '<view>.<feature>'"));
        Assert.Contains(problems, p => p.Contains("default 1.5 does not fit type int64"));
        Assert.Contains(problems, p => p.Contains("graph input 'unfed' is not fed"));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void The_probability_output_must_exist_and_be_float32()
    {
        var graph = Graph([Node("distance", "float32", -1, 1)], Node("PredictedLabel.output", "bool", -1, 1), Node("Score.output", "int64", -1, 1));

        var missing = SignatureCheck.Problems(Version(Input("event.distance", "distance")), graph);
        var intScore = Version(Input("event.distance", "distance"));
        intScore.probability_output = "Score.output";
        var wrongType = SignatureCheck.Problems(intScore, graph);

        Assert.Contains(missing, p => p.Contains("no output named 'Probability.output'") && p.Contains("'PredictedLabel.output', 'Score.output'"));
        Assert.Contains(wrongType, p => p.Contains("'Score.output' is int64, a float32 probability is expected"));
    }

    [Fact]
    public void Inputs_fed_twice_or_listed_twice_are_refused()
    {
        var version = Version(Input("event.distance", "distance"), Input("event.distance", "distance"));
        var problems = SignatureCheck.Problems(version, Graph([Node("distance", "float32", -1, 1)], Probability));

        Assert.Contains(problems, p => p.Contains("feature 'event.distance' is listed twice"));
        Assert.Contains(problems, p => p.Contains("ONNX input 'distance' is fed twice"));
    }

    [Fact]
    public void A_multi_value_input_is_refused_since_a_row_has_one_value_per_feature()
    {
        var version = Version(Input("event.distance", "distance", shape: [-1, 4]));
        var problems = SignatureCheck.Problems(version, Graph([Node("distance", "float32", -1, 4)], Probability));

        Assert.Contains(problems, p => p.Contains("is not [batch] or [batch, 1]"));
    }
}
