"""PNG charts for the benchmark sections (matplotlib, headless ``Agg`` backend).

A chart draws exactly the numbers of the table next to it: :func:`listing_figure` reads the same
:class:`ListingTable` the report's listing table is rendered from. Needs the ``report`` extra;
:func:`charts_available` lets a report degrade to tables only.
"""

from __future__ import annotations

import io
from typing import Any

from ._bench_data import ListingTable

__all__ = ["charts_available", "listing_chart", "listing_figure", "png", "ratio_chart"]


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def pyplot() -> Any:
    """matplotlib's pyplot on the headless Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def png(fig: Any, dpi: int = 100) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def listing_figure(table: ListingTable) -> Any:
    """Requests per strategy (bars, log scale, annotated with the count) and seconds per strategy
    against added latency (lines): the numbers of the tree's table."""
    plt = pyplot()
    names = list(table.strategies)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    requests = [table.requests[n] for n in names]
    left.bar(range(len(names)), requests, color="#4c72b0")
    left.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
    left.set_yscale("log")
    left.set_ylabel("requests per listing (log)")
    left.set_title(f"{table.tree}: requests")
    for i, value in enumerate(requests):
        left.annotate(str(value), (i, value), ha="center", va="bottom", fontsize=8)
    for name in names:
        points = sorted(table.seconds[name].items())
        right.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    right.set_yscale("log")
    right.set_xlabel("added latency per request (ms)")
    right.set_ylabel("seconds per listing (log)")
    right.set_title(f"{table.tree}: seconds")
    right.legend(fontsize=7)
    right.grid(True, which="both", alpha=0.3)
    return fig


def listing_chart(table: ListingTable) -> bytes:
    return png(listing_figure(table))


def ratio_chart(ratios: dict[str, dict[str, float]]) -> bytes:
    """Seconds ours/raw per operation, one bar per raw client; 1.0 is parity."""
    plt = pyplot()
    operations = list(ratios)
    clients = sorted({c for r in ratios.values() for c in r})
    fig, ax = plt.subplots(figsize=(11, 4.8))
    width = 0.8 / max(1, len(clients))
    for i, client in enumerate(clients):
        xs = [j + i * width for j in range(len(operations))]
        ax.bar(xs, [ratios[o].get(client, 0.0) for o in operations], width, label=f"ours/{client}")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(
        [j + width * (len(clients) - 1) / 2 for j in range(len(operations))],
        operations,
        rotation=30,
        ha="right",
        fontsize=8,
    )
    ax.set_ylabel("seconds ours / raw")
    ax.set_title("Per-operation cost of the Store layer (1.0 = same as the raw client)")
    ax.legend(fontsize=8)
    return png(fig)
