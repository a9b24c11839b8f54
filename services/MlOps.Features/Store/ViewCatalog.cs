using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Features.Store;

/// <summary>The views of one spec version, indexed by the event types that feed them.</summary>
public sealed class ViewCatalog
{
    private readonly Dictionary<string, List<CompiledView>> _bySource = new(StringComparer.Ordinal);

    public ViewCatalog(IEnumerable<FeatureView> views)
    {
        Views = views.Select(CompiledView.Of).ToList();
        foreach (var view in Views)
        {
            foreach (var source in view.View.Sources)
            {
                if (!_bySource.TryGetValue(source, out var list))
                {
                    _bySource[source] = list = [];
                }
                list.Add(view);
            }
        }
    }

    public IReadOnlyList<CompiledView> Views { get; }

    public IReadOnlyList<CompiledView> Fed(string eventType) => _bySource.TryGetValue(eventType, out var views) ? views : [];
}
