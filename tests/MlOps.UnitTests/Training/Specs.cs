using MlOps.Common.Spec;
using MlOps.Contracts.Codegen;
using MlOps.Training;

namespace MlOps.UnitTests.Training;

/// <summary>The checked-in flights spec, so the tests use the windows and TTL the online store uses.</summary>
internal static class Specs
{
    public static readonly string Root = RepoRoot.Find(AppContext.BaseDirectory);

    public static readonly PlatformSpec Flights = SpecLoader.Load(Path.Combine(Root, "infra", "examples", "flights", "spec.yaml"));

    public static FeatureView OriginTraffic => FlightFeatures.OriginTraffic(Flights);
}
