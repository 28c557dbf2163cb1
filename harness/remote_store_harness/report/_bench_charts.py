"""PNG charts for the benchmark report (matplotlib, headless ``Agg`` backend).

Needs the ``report`` extra; :func:`charts_available` lets the report degrade to tables only.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ._bench_data import ListingCase

__all__ = ["charts_available", "listing_chart", "ratio_chart"]


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def listing_chart(tree: str, cases: list[ListingCase], path: Path) -> Path:
    """Requests per strategy (bars) and seconds per strategy against added latency (lines)."""
    plt = _pyplot()
    by_strategy: dict[str, list[ListingCase]] = defaultdict(list)
    for case in cases:
        by_strategy[case.strategy].append(case)
    names = sorted(by_strategy)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    requests = [max(c.requests_total for c in by_strategy[n]) for n in names]
    left.bar(range(len(names)), requests, color="#4c72b0")
    left.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
    left.set_yscale("log")
    left.set_ylabel("requests per listing (log)")
    left.set_title(f"{tree}: requests")
    for i, value in enumerate(requests):
        left.annotate(str(value), (i, value), ha="center", va="bottom", fontsize=8)
    for name in names:
        points = sorted(by_strategy[name], key=lambda c: c.latency_ms)
        right.plot(
            [c.latency_ms for c in points], [c.seconds for c in points], marker="o", label=name
        )
    right.set_yscale("log")
    right.set_xlabel("added latency per request (ms)")
    right.set_ylabel("seconds per listing (log)")
    right.set_title(f"{tree}: seconds")
    right.legend(fontsize=7)
    right.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def ratio_chart(ratios: dict[str, dict[str, float]], path: Path) -> Path:
    """Seconds ours/raw per operation, one bar per raw client; 1.0 is parity."""
    plt = _pyplot()
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
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
