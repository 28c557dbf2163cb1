"""Read the benchmarks' pytest-benchmark JSON and fit the listing cost model.

The benchmarks (``benchmarks/`` in the repository) store what they observed in each case's
``extra_info``: ``kind`` (``listing``, ``operation`` or ``stream``), request counts by S3
operation from the gateway log, server time (sum of the gateway's upstream times), client time
and the wall time of the measured call alone in its fastest round (``wall_seconds``; other load
on a shared machine only adds time). That figure, not pytest-benchmark's own timing of the whole
round (which includes the per-round correctness checks), is used here; pytest-benchmark's
median is the fallback.

Cost model (one tree shape, one strategy): ``T(rtt) = base + slope * rtt``. ``slope`` is the
number of round trips on the critical path: the request count for a sequential strategy, request
count / effective concurrency (fitted over the measured latencies) for the thread pool. ``base``
is everything that does not depend on latency: the server's time per page and the client's time
per object and per request. Projection to ``n`` objects of the same shape scales both linearly:
``T(n, rtt) = n / measured_objects * (base + slope * rtt)``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from ..errors import BenchDataError

__all__ = [
    "BenchDataError",
    "BenchRun",
    "LinearFit",
    "ListingCase",
    "ListingTable",
    "OperationCase",
    "StreamCase",
    "fit_listing",
    "listing_tables",
    "load_run",
    "parse_run",
    "strategy_order",
]


@dataclass(frozen=True)
class ListingCase:
    tree: str
    size: str
    strategy: str
    shape: str
    raw: bool
    latency_ms: float
    objects: int
    folders: int
    requests: Mapping[str, int]
    requests_total: int
    seconds: float
    server_seconds: float
    client_seconds: float
    injected_seconds: float
    listing_mode: str
    overlapped: bool
    #: Requests the strategy keeps in flight at most (1 = sequential).
    concurrency: int = 1


@dataclass(frozen=True)
class OperationCase:
    operation: str
    client: str
    size_bytes: int
    requests: Mapping[str, int]
    requests_total: int
    seconds: float
    server_seconds: float


@dataclass(frozen=True)
class StreamCase:
    operation: str
    size_bytes: int
    requests: Mapping[str, int]
    seconds: float
    peak_rss_growth_bytes: int | None
    rss_goal_bytes: int | None


@dataclass
class BenchRun:
    source: str
    machine: str = ""
    python: str = ""
    when: str = ""
    commit: str = ""
    listing: list[ListingCase] = field(default_factory=list)
    operations: list[OperationCase] = field(default_factory=list)
    streams: list[StreamCase] = field(default_factory=list)

    @property
    def listing_modes(self) -> set[str]:
        return {c.listing_mode for c in self.listing}


def _seconds(bench: Mapping[str, Any], info: Mapping[str, Any]) -> float:
    if isinstance(info.get("wall_seconds"), int | float):
        return float(info["wall_seconds"])
    stats = bench.get("stats") or {}
    if isinstance(stats.get("median"), int | float):
        return float(stats["median"])
    raise BenchDataError(f"case {bench.get('name')!r} has no timing")


def _requests(info: Mapping[str, Any]) -> dict[str, int]:
    raw = info.get("requests") or {}
    return {str(k): int(v) for k, v in raw.items()}


def _parse(run: BenchRun, bench: Mapping[str, Any]) -> None:
    info: Mapping[str, Any] = bench.get("extra_info") or {}
    kind = info.get("kind")
    if kind == "listing":
        run.listing.append(
            ListingCase(
                tree=str(info["tree"]),
                size=str(info.get("size", "")),
                strategy=str(info["strategy"]),
                shape=str(info.get("shape", "")),
                raw=bool(info.get("raw", False)),
                latency_ms=float(info["latency_ms"]),
                objects=int(info["objects"]),
                folders=int(info.get("folders", 0)),
                requests=_requests(info),
                requests_total=int(info.get("requests_total", sum(_requests(info).values()))),
                seconds=_seconds(bench, info),
                server_seconds=float(info.get("server_seconds", 0.0)),
                client_seconds=float(info.get("client_seconds", 0.0)),
                injected_seconds=float(info.get("injected_seconds", 0.0)),
                listing_mode=str(info.get("listing_mode", "unknown")),
                overlapped=bool(info.get("overlapped", False)),
                concurrency=int(info.get("concurrency", 1)),
            )
        )
    elif kind == "operation":
        run.operations.append(
            OperationCase(
                operation=str(info["operation"]),
                client=str(info["client"]),
                size_bytes=int(info.get("bytes", 0)),
                requests=_requests(info),
                requests_total=int(info.get("requests_total", sum(_requests(info).values()))),
                seconds=_seconds(bench, info),
                server_seconds=float(info.get("server_seconds", 0.0)),
            )
        )
    elif kind == "stream":
        peak = info.get("peak_rss_growth_bytes")
        goal = info.get("rss_goal_bytes")
        run.streams.append(
            StreamCase(
                operation=str(info["operation"]),
                size_bytes=int(info.get("bytes", 0)),
                requests=_requests(info),
                seconds=_seconds(bench, info),
                peak_rss_growth_bytes=int(peak) if peak is not None else None,
                rss_goal_bytes=int(goal) if goal is not None else None,
            )
        )


def load_run(path: str | Path) -> BenchRun:
    """Parse one pytest-benchmark JSON file (``--benchmark-json`` or a saved/autosaved run)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchDataError(f"{path}: cannot read pytest-benchmark JSON: {exc}") from exc
    return parse_run(data, str(path))


def parse_run(data: Any, source: str) -> BenchRun:
    """The run in already-loaded pytest-benchmark JSON (``source`` names it in errors)."""
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise BenchDataError(f"{source}: not pytest-benchmark JSON (no 'benchmarks' list)")
    machine = data.get("machine_info") or {}
    cpu = machine.get("cpu") or {}
    commit = data.get("commit_info") or {}
    run = BenchRun(
        source=source,
        machine=" ".join(
            str(p) for p in (cpu.get("brand_raw", ""), machine.get("machine", "")) if p
        ),
        python=str(machine.get("python_version", "")),
        when=str(data.get("datetime", "")),
        commit=str(commit.get("id", ""))[:12],
    )
    for bench in data["benchmarks"]:
        try:
            _parse(run, bench)
        except (KeyError, TypeError, ValueError) as exc:
            raise BenchDataError(f"{source}: malformed case {bench.get('name')!r}: {exc}") from exc
    if not (run.listing or run.operations or run.streams):
        raise BenchDataError(
            f"{source}: no remote-store benchmark cases (was it written by `pytest benchmarks/` "
            "without --benchmark-disable?)"
        )
    return run


#: Order of strategies in tables and charts (others follow alphabetically).
_STRATEGY_ORDER = (
    "store-recursive",
    "store-max-depth",
    "store-glob",
    "store-traversal-seq",
    "store-traversal-16",
    "boto3-paginator",
    "s3fs-find",
)
#: The flat stream every folder-by-folder traversal is compared with.
FLAT = "store-recursive"
TRAVERSALS = ("store-traversal-seq", "store-traversal-16")


def strategy_order(name: str) -> tuple[int, str]:
    """Sort key: the report's strategy order, unknown strategies last and alphabetical."""
    index = _STRATEGY_ORDER.index(name) if name in _STRATEGY_ORDER else len(_STRATEGY_ORDER)
    return (index, name)


@dataclass(frozen=True)
class ListingTable:
    """One tree's listing results as a report shows them: its table *and* its chart read this,
    so the two cannot disagree. Seconds are per strategy and added latency (ms)."""

    tree: str
    size: str
    objects: int
    folders: int
    latencies: tuple[float, ...]
    strategies: tuple[str, ...]
    requests: Mapping[str, int]
    seconds: Mapping[str, Mapping[float, float]]
    #: Server and client seconds at the lowest measured latency.
    server_seconds: Mapping[str, float]
    client_seconds: Mapping[str, float]

    def request_ratio(self, strategy: str, base: str = FLAT) -> float | None:
        """Requests of ``strategy`` per request of ``base`` (None without both)."""
        if strategy not in self.requests or not self.requests.get(base):
            return None
        return self.requests[strategy] / self.requests[base]

    def seconds_ratio(self, strategy: str, latency: float, base: str = FLAT) -> float | None:
        """Seconds of ``strategy`` per second of ``base`` at one latency (None without both)."""
        mine, theirs = self.seconds.get(strategy, {}), self.seconds.get(base, {})
        if latency not in mine or not theirs.get(latency):
            return None
        return mine[latency] / theirs[latency]


def listing_tables(cases: Iterable[ListingCase]) -> list[ListingTable]:
    """One :class:`ListingTable` per tree, in the order the trees were measured."""
    by_tree: dict[str, list[ListingCase]] = {}
    for case in cases:
        by_tree.setdefault(case.tree, []).append(case)
    tables = []
    for tree, found in by_tree.items():
        by_strategy: dict[str, dict[float, ListingCase]] = {}
        for case in found:
            by_strategy.setdefault(case.strategy, {})[case.latency_ms] = case
        strategies = tuple(sorted(by_strategy, key=strategy_order))
        lowest = {s: by_strategy[s][min(by_strategy[s])] for s in strategies}
        first = found[0]
        tables.append(
            ListingTable(
                tree=tree,
                size=first.size,
                objects=first.objects,
                folders=first.folders,
                latencies=tuple(sorted({c.latency_ms for c in found})),
                strategies=strategies,
                requests={
                    s: max(c.requests_total for c in by_strategy[s].values()) for s in strategies
                },
                seconds={
                    s: {lat: c.seconds for lat, c in sorted(by_strategy[s].items())}
                    for s in strategies
                },
                server_seconds={s: c.server_seconds for s, c in lowest.items()},
                client_seconds={s: c.client_seconds for s, c in lowest.items()},
            )
        )
    return tables


@dataclass(frozen=True)
class LinearFit:
    """``T(rtt) = base + slope * rtt`` for one strategy on one tree (see the module docstring)."""

    tree: str
    strategy: str
    objects: int
    requests: int
    base_seconds: float
    slope: float
    server_seconds: float
    client_seconds: float
    points: int
    #: True when a concurrent strategy's slope was assumed (one latency only), not fitted.
    assumed_slope: bool = False
    #: Largest relative error of the model against the measured points.
    max_error: float = 0.0

    @property
    def effective_concurrency(self) -> float:
        """Requests per round trip on the critical path (1 for a sequential strategy)."""
        return self.requests / self.slope if self.slope > 0 else math.inf

    def predict(self, rtt_seconds: float, objects: int | None = None) -> float:
        scale = (objects / self.objects) if objects is not None else 1.0
        return scale * (self.base_seconds + self.slope * rtt_seconds)


def fit_listing(cases: Iterable[ListingCase], *, subtract_server: bool = False) -> LinearFit | None:
    """Fit the model to one strategy's cases on one tree (all latencies). None without cases.

    A sequential strategy pays every round trip in turn, so its slope *is* its request count;
    only ``base`` is estimated (median of ``T - requests x rtt`` over the latencies, robust to a
    noisy round). A concurrent strategy's slope is fitted by least squares and clamped to
    ``[requests / concurrency, requests]``. ``subtract_server`` takes the server's time out of
    ``base`` (used when the target's listing cost is an artefact: stock moto scanning the whole
    bucket on every call).
    """
    points = sorted(cases, key=lambda c: c.latency_ms)
    if not points:
        return None
    first = points[0]
    if len({(c.tree, c.strategy) for c in points}) != 1:
        raise ValueError("fit_listing needs the cases of one tree and one strategy")
    requests = first.requests_total
    xs = [c.latency_ms / 1000.0 for c in points]
    ys = [c.seconds - (c.server_seconds if subtract_server else 0.0) for c in points]
    assumed = False
    if first.concurrency <= 1:
        slope = float(requests)
    elif len(set(xs)) < 2:
        slope, assumed = requests / first.concurrency, True
    else:
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        fitted = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        slope = min(max(fitted, requests / first.concurrency), float(requests))
    base = max(0.0, median(y - slope * x for x, y in zip(xs, ys, strict=True)))
    errors = [abs(base + slope * x - y) / y for x, y in zip(xs, ys, strict=True) if y > 0]
    return LinearFit(
        tree=first.tree,
        strategy=first.strategy,
        objects=first.objects,
        requests=requests,
        base_seconds=base,
        slope=slope,
        server_seconds=first.server_seconds,
        client_seconds=first.client_seconds,
        points=len(points),
        assumed_slope=assumed,
        max_error=max(errors, default=0.0),
    )
