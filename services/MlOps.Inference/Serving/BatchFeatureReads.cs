using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Inference.Serving;

/// <summary>
/// Reads every feature a micro-batch needs in one pipelined Redis round trip: for each routed request, each view its
/// deployment reads, at the request's event time.
/// </summary>
internal static class BatchFeatureReads
{
    /// <summary>Per request, the vectors of the views read for it by view name (none for a request without a route).</summary>
    public static async Task<Dictionary<string, FeatureVector>[]> ReadAsync(FeatureStoreReader reader, TimeProvider clock,
        IReadOnlyList<ScoringRequest> requests, DeploymentRoute?[] routes, PlatformSpec spec, CancellationToken ct)
    {
        var perRequest = new Dictionary<string, FeatureVector>[requests.Count];
        var reads = new List<FeatureRequest>();
        var owners = new List<(int Request, string View)>();
        for (var i = 0; i < requests.Count; i++)
        {
            perRequest[i] = new Dictionary<string, FeatureVector>(StringComparer.Ordinal);
            if (routes[i] is not { } route)
            {
                continue;
            }
            foreach (var viewName in route.Views)
            {
                // A view the spec no longer has, or an event without the view's entity attributes: its features are
                // missing for this request and follow the model's policy for missing values.
                if (spec.FeatureViews.GetValueOrDefault(viewName) is not { } view
                    || EntityKey.Of(view, requests[i].Attributes) is not { } entity)
                {
                    continue;
                }
                reads.Add(new FeatureRequest(view, entity, DateTimeOffset.FromUnixTimeMilliseconds(requests[i].EventTimeMs).UtcDateTime));
                owners.Add((i, viewName));
            }
        }
        if (reads.Count == 0)
        {
            return perRequest;
        }
        ct.ThrowIfCancellationRequested();
        var vectors = await reader.ReadAsync(reads, clock.GetUtcNow().UtcDateTime);
        for (var k = 0; k < vectors.Count; k++)
        {
            perRequest[owners[k].Request][owners[k].View] = vectors[k];
        }
        return perRequest;
    }
}
