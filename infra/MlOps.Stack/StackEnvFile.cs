namespace MlOps.Stack;

/// <summary>The <c>KEY=VALUE</c> file the stack writes for shells (<c>source .mlops/stack.env</c>) and services.</summary>
public static class StackEnvFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found; start the stack with './mlops up --detach'.", path);
        }
        return File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.Ordinal);
    }

    /// <summary>Writes atomically (temp file + rename), so a reader never sees half a file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> variables)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllLines(temp, variables.Select(kv => $"{kv.Key}={kv.Value}"));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Adds or replaces variables (services add their base URLs to the stack's file).</summary>
    public static void Merge(string path, IReadOnlyDictionary<string, string> variables)
    {
        var merged = new SortedDictionary<string, string>(
            File.Exists(path) ? Read(path).ToDictionary() : new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in variables)
        {
            merged[key] = value;
        }
        Write(path, merged);
    }
}
