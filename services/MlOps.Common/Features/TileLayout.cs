using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// How one window of a view is cut into event-time tiles. A window of length W read at time t covers the
/// <see cref="TilesPerWindow"/> tiles ending with the tile that contains t. Tiles live in a ring of
/// <see cref="Ring"/> slots per entity (slot = tile index mod ring), sized so every tile a read within the allowed
/// lateness needs is still there; a slot keeps the newest tile written to it.
/// </summary>
public sealed record TileLayout(int WindowIndex, FeatureWindow Window, long TileMs, int TilesPerWindow, int Ring)
{
    public static TileLayout For(FeatureView view, int windowIndex)
    {
        var window = view.Windows[windowIndex];
        var tileMs = (long)window.Length.TotalMilliseconds / view.TilesPerWindow;
        var lateTiles = (int)Math.Ceiling(view.AllowedLateness.TotalMilliseconds / tileMs);
        return new TileLayout(windowIndex, window, tileMs, view.TilesPerWindow, view.TilesPerWindow + lateTiles + 2);
    }

    public long TileIndex(long eventTimeMs) => Math.DivRem(eventTimeMs, TileMs) is var (q, r) && r < 0 ? q - 1 : q;

    public int Slot(long tileIndex) => (int)(((tileIndex % Ring) + Ring) % Ring);

    /// <summary>Tile indexes a read at <paramref name="atMs"/> combines: (current - tiles, current].</summary>
    public (long First, long Last) WindowTiles(long atMs)
    {
        var current = TileIndex(atMs);
        return (current - TilesPerWindow + 1, current);
    }
}
