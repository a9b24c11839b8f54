using System.Globalization;

namespace MlOps.Benchmarks;

/// <summary>Benchmark command-line options: <c>--name value</c>.</summary>
internal static class Args
{
    public static int Int(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
