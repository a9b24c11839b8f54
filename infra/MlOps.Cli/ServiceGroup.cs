namespace MlOps.Cli;

/// <summary>The services `up` started; stopped in reverse order so consumers drain before what they feed stops.</summary>
internal sealed class ServiceGroup : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];

    public void Add(ServiceProcess service) => _services.Add(service);

    public async ValueTask DisposeAsync()
    {
        for (var i = _services.Count - 1; i >= 0; i--)
        {
            await _services[i].DisposeAsync();
        }
        _services.Clear();
    }
}
