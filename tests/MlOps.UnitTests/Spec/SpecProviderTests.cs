using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Common.Spec;

namespace MlOps.UnitTests.Spec;

public sealed class SpecProviderTests : IDisposable
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("spec-provider-").FullName, "spec.yaml");

    private static string Spec(string version, string contractVersion = "1") =>
        $"spec: s\nversion: \"{version}\"\ncontracts:\n  e:\n    version: \"{contractVersion}\"\n";

    [Fact]
    public void An_invalid_first_spec_fails_construction_with_its_errors()
    {
        File.WriteAllText(_path, "spec: s\ncontracts: {}\n");
        var ex = Assert.Throws<SpecException>(() => NewProvider());
        Assert.Equal("version", Assert.Single(ex.Errors).Field);
        Assert.Equal(Path.GetFullPath(_path), ex.Errors[0].File);
    }

    [Fact]
    public void A_valid_edit_is_applied_and_an_invalid_one_is_refused_keeping_the_previous_spec()
    {
        File.WriteAllText(_path, Spec("1"));
        using var provider = NewProvider();
        var applied = new List<PlatformSpec>();
        var refused = new List<SpecException>();
        provider.Changed += applied.Add;
        provider.ReloadFailed += refused.Add;

        Assert.False(provider.TryReload()); // unchanged content: nothing happens

        File.WriteAllText(_path, Spec("2", contractVersion: "5"));
        Assert.True(provider.TryReload());
        Assert.Equal("2", provider.Current.Version);
        Assert.Equal("5", provider.Current.Contracts["e"].Version);

        File.WriteAllText(_path, "spec: s\nversion: \"3\"\ncontracts:\n  e:\n    version: \"6\"\n    max_age: forever\n");
        Assert.False(provider.TryReload());
        Assert.Equal("2", provider.Current.Version);
        var error = Assert.Single(Assert.Single(refused).Errors);
        Assert.Equal((6, "contracts.e.max_age"), (error.Line, error.Field));

        Assert.False(provider.TryReload()); // the same bad content is reported once
        Assert.Single(refused);

        File.Delete(_path);
        Assert.False(provider.TryReload());
        Assert.Equal("(file)", refused[^1].Errors[0].Field);
        Assert.Equal("2", provider.Current.Version);

        File.WriteAllText(_path, Spec("4"));
        Assert.True(provider.TryReload());
        Assert.Equal(["2", "4"], applied.Select(s => s.Version));
        Assert.Equal(2, refused.Count);
    }

    [Fact]
    public void An_edit_a_service_check_refuses_is_refused_and_one_it_cannot_decide_is_checked_again()
    {
        File.WriteAllText(_path, Spec("1"));
        using var provider = NewProvider();
        var refused = new List<SpecException>();
        provider.ReloadFailed += refused.Add;
        var verdict = "accept";
        provider.AddCheck(spec => verdict switch
        {
            "unreachable" => throw new InvalidOperationException("the store is unreachable"),
            "refuse" => [new SpecError(spec.SourceFile, 2, 10, "version", "refused by the service")],
            _ => [],
        });

        verdict = "refuse";
        File.WriteAllText(_path, Spec("2"));
        Assert.False(provider.TryReload());
        Assert.Equal("1", provider.Current.Version);
        Assert.Equal("refused by the service", Assert.Single(Assert.Single(refused).Errors).Message);

        verdict = "unreachable";
        File.WriteAllText(_path, Spec("3"));
        Assert.False(provider.TryReload());
        Assert.Equal("1", provider.Current.Version);
        Assert.Single(refused); // undecided, not refused
        verdict = "accept";
        Assert.True(provider.TryReload()); // the same content is checked again
        Assert.Equal("3", provider.Current.Version);
    }

    [Fact]
    public void The_file_is_polled_on_the_interval()
    {
        File.WriteAllText(_path, Spec("1"));
        var clock = new FakeTimeProvider();
        using var provider = new SpecProvider(_path, NullLogger<SpecProvider>.Instance, clock, TimeSpan.FromSeconds(2));
        File.WriteAllText(_path, Spec("2"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("1", provider.Current.Version);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("2", provider.Current.Version);
    }

    private SpecProvider NewProvider() => new(_path, NullLogger<SpecProvider>.Instance, pollInterval: TimeSpan.Zero);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
}
