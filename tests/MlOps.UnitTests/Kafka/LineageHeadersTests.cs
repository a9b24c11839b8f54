using System.Text;
using Confluent.Kafka;
using MlOps.Common.Kafka;

namespace MlOps.UnitTests.Kafka;

public sealed class LineageHeadersTests
{
    [Fact]
    public void Output_headers_name_the_source_and_carry_the_callers_trace_forward()
    {
        var source = FakeMessages.At(41, partition: 2, topic: "mlops.events.validated");
        source.Message.Headers.Add("traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

        var headers = LineageHeaders.From(source, specVersion: "flights@3", modelVersion: "delay:7");

        Assert.Equal("mlops.events.validated", LineageHeaders.Get(headers, LineageHeaders.SourceTopic));
        Assert.Equal("2", LineageHeaders.Get(headers, LineageHeaders.SourcePartition));
        Assert.Equal("41", LineageHeaders.Get(headers, LineageHeaders.SourceOffset));
        Assert.Equal("flights@3", LineageHeaders.Get(headers, LineageHeaders.SpecVersion));
        Assert.Equal("delay:7", LineageHeaders.Get(headers, LineageHeaders.ModelVersion));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", LineageHeaders.Get(headers, LineageHeaders.TraceParent));
    }

    [Fact]
    public void A_source_without_trace_context_gets_a_valid_new_traceparent()
    {
        var headers = LineageHeaders.From(FakeMessages.At(0));

        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", LineageHeaders.Get(headers, LineageHeaders.TraceParent)!);
        Assert.Null(LineageHeaders.Get(headers, LineageHeaders.SpecVersion));
    }
}
