using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace MlOps.Common.Spec;

/// <summary>
/// Holds the spec in force and hot-reloads it. The file is polled (content hash, not timestamps: editors and
/// ConfigMap symlink swaps make file-system events unreliable). A changed file that parses replaces
/// <see cref="Current"/> atomically and raises <see cref="Changed"/>; one that does not is refused with every
/// file:line:column error logged, raises <see cref="ReloadFailed"/>, and the previous spec stays in force.
/// A service adds checks of its own (<see cref="AddCheck"/>) that a changed spec must pass the same way.
/// The first load throws <see cref="SpecException"/>, so a service never starts on an invalid spec.
/// </summary>
public sealed class SpecProvider : IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    private const string Unreadable = "(unreadable)";

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private readonly List<Func<PlatformSpec, IReadOnlyList<SpecError>>> _checks = [];
    private PlatformSpec _current;
    private string _lastSeenHash;
    private string? _undecidedHash;

    public SpecProvider(string path, ILogger<SpecProvider> logger, TimeProvider? clock = null, TimeSpan? pollInterval = null)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
        _current = SpecLoader.Load(_path);
        _lastSeenHash = _current.Hash;
        _logger.LogInformation("Spec {Version} loaded from {Path} ({Contracts} contracts)", _current.VersionTag, _path, _current.Contracts.Count);
        var interval = pollInterval ?? DefaultPollInterval;
        if (interval > TimeSpan.Zero)
        {
            _timer = (clock ?? TimeProvider.System).CreateTimer(_ => TryReload(), null, interval, interval);
        }
    }

    /// <summary>The spec in force. Read it once per batch or request so all of it sees one version.</summary>
    public PlatformSpec Current => Volatile.Read(ref _current);

    public event Action<PlatformSpec>? Changed;

    public event Action<SpecException>? ReloadFailed;

    /// <summary>
    /// Adds a check every changed spec must pass, after it parses, before it replaces <see cref="Current"/>: errors
    /// refuse it as parse errors do. A check that throws could not decide (what it consults is unreachable): the
    /// change is neither applied nor refused, and is checked again on the next poll. The spec already in force is
    /// not checked here; the caller checks it itself.
    /// </summary>
    public void AddCheck(Func<PlatformSpec, IReadOnlyList<SpecError>> check)
    {
        lock (_reloadLock)
        {
            _checks.Add(check);
        }
    }

    /// <summary>Reloads when the file's content changed; true when a new spec was applied.</summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return _lastSeenHash != Unreadable
                    && Refuse(new SpecException([new SpecError(_path, 1, 1, "(file)", $"cannot read the spec file: {ex.Message}")]), Unreadable);
            }
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (hash == _lastSeenHash)
            {
                return false;
            }
            PlatformSpec next;
            try
            {
                next = SpecLoader.Parse(bytes, _path);
            }
            catch (SpecException ex)
            {
                return Refuse(ex, hash);
            }
            if (!Check(next, hash, out var errors))
            {
                return false;
            }
            if (errors.Count > 0)
            {
                return Refuse(new SpecException(errors), hash);
            }
            _lastSeenHash = hash;
            _undecidedHash = null;
            var previous = Current;
            Volatile.Write(ref _current, next);
            _logger.LogInformation("Spec reloaded: {Previous} -> {Version}", previous.VersionTag, next.VersionTag);
            Changed?.Invoke(next);
            return true;
        }
    }

    /// <summary>Runs the added checks; false when one could not decide (logged once per content).</summary>
    private bool Check(PlatformSpec next, string hash, out List<SpecError> errors)
    {
        errors = [];
        try
        {
            foreach (var check in _checks)
            {
                errors.AddRange(check(next));
            }
            return true;
        }
        catch (Exception ex)
        {
            // Any failure of a check is "cannot tell yet", never a verdict on the spec: the next poll asks again.
            if (_undecidedHash != hash)
            {
                _undecidedHash = hash;
                _logger.LogWarning("Spec change not applied yet: it could not be checked ({Error}); {Version} stays in force and the check is retried",
                    ex.Message, Current.VersionTag);
            }
            return false;
        }
    }

    private bool Refuse(SpecException ex, string hash)
    {
        // Remember the refused content so one bad edit is reported once, not on every poll.
        _lastSeenHash = hash;
        _undecidedHash = null;
        _logger.LogError("Spec change refused; {Version} stays in force. {Errors}", Current.VersionTag, ex.Message);
        ReloadFailed?.Invoke(ex);
        return false;
    }

    public void Dispose() => _timer?.Dispose();
}
