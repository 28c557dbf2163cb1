"""``remote-store-harness bench-report``: benchmark JSON from ``benchmarks/`` -> Markdown + PNG.

Usage::

    pytest benchmarks/ --benchmark-json=out.json
    remote-store-harness bench-report out.json --out benchmarks/results

(also ``python -m remote_store_harness.report._bench_report out.json``). Writes ``report.md``
and the charts into the results folder. The listing cost model and its assumptions are explained in
``_bench_data``; the report restates them next to the numbers.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ._bench_data import (
    BenchDataError,
    BenchRun,
    LinearFit,
    ListingCase,
    OperationCase,
    fit_listing,
    format_duration,
    load_run,
)

__all__ = ["HELP", "NAME", "add_arguments", "main", "operation_ratios", "render", "run"]

NAME = "bench-report"
HELP = "turn pytest-benchmark JSON from benchmarks/ into a Markdown report with PNG charts"
DESCRIPTION = __doc__ or HELP

#: Order of strategies in tables (others follow alphabetically).
_STRATEGY_ORDER = (
    "store-recursive",
    "store-max-depth",
    "store-glob",
    "store-traversal-seq",
    "store-traversal-16",
    "boto3-paginator",
    "s3fs-find",
)
#: Clients our store is compared with, in table order; ``peer`` is remote-store 0.33.0 (optional).
_OTHER_CLIENTS = ("boto3", "s3fs", "peer")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("json", type=Path, help="pytest-benchmark JSON (--benchmark-json)")
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results"), help="results folder"
    )
    parser.add_argument("--no-charts", action="store_true", help="tables only, no PNG")
    parser.add_argument(
        "--rtt-ms", default="20,50,100", help="round-trip times to project to (ms, comma list)"
    )
    parser.add_argument(
        "--objects",
        default="1000000,100000000",
        help="object counts to project to (comma list)",
    )


def _order(name: str) -> tuple[int, str]:
    return (
        _STRATEGY_ORDER.index(name) if name in _STRATEGY_ORDER else len(_STRATEGY_ORDER),
        name,
    )


def _s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def operation_ratios(cases: Sequence[OperationCase]) -> dict[str, dict[str, dict[str, float]]]:
    """Per operation and raw client: ``{"seconds": ours/raw, "requests": ours/raw}``."""
    by_op: dict[str, dict[str, OperationCase]] = defaultdict(dict)
    for case in cases:
        by_op[case.operation][case.client] = case
    ratios: dict[str, dict[str, dict[str, float]]] = {}
    for op, clients in by_op.items():
        ours = clients.get("store")
        if ours is None:
            continue
        ratios[op] = {}
        for raw in _OTHER_CLIENTS:
            other = clients.get(raw)
            if other is None or other.seconds <= 0:
                continue
            ratios[op][raw] = {
                "seconds": ours.seconds / other.seconds,
                "requests": (ours.requests_total / other.requests_total)
                if other.requests_total
                else float("nan"),
            }
    return ratios


def _req(requests: dict[str, int] | object) -> str:
    if not isinstance(requests, dict) or not requests:
        return "0"
    return ", ".join(f"{n} {op}" for op, n in sorted(requests.items()))


def _listing_section(run: BenchRun, charts: dict[str, str]) -> list[str]:
    out = ["## Listing: flat stream vs folder-by-folder traversal", ""]
    modes = run.listing_modes
    if modes == {"indexed"}:
        out.append(
            "Target: moto in its own process with the harness' **indexed listing** (a sorted key "
            "index that the harness verifies gives exactly stock moto's answers), so a listing "
            "call costs the server time proportional to its page, not to the bucket. Server time "
            "is reported and kept in the model as a stand-in for S3's own service time."
        )
    else:
        out.append(
            f"Target listing mode: {', '.join(sorted(modes))}. Stock moto scans and sorts every "
            "key of the bucket on every call, which inflates per-request server time; the cost "
            "model therefore **subtracts** the measured server time."
        )
    out += [
        "",
        "Seconds are the wall time of one complete listing in its fastest round (least disturbed "
        "by other load; medians are in the JSON); requests are counted by the "
        "gateway (all ListObjectsV2). `server` = sum of upstream times, `client` = wall - server "
        "- injected latency (clipped at 0; for the thread pool these sums overlap).",
        "",
    ]
    by_tree: dict[str, list[ListingCase]] = defaultdict(list)
    for case in run.listing:
        by_tree[case.tree].append(case)
    for tree, cases in by_tree.items():
        latencies = sorted({c.latency_ms for c in cases})
        first = cases[0]
        out.append(
            f"### `{tree}` ({first.size}): {first.objects:,} objects, {first.folders:,} folders"
        )
        out.append("")
        header = ["strategy", "requests"] + [f"s @ {lat:g} ms" for lat in latencies]
        header += ["server s @0", "client s @0"]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        by_strategy: dict[str, dict[float, ListingCase]] = defaultdict(dict)
        for case in cases:
            by_strategy[case.strategy][case.latency_ms] = case
        for strategy in sorted(by_strategy, key=_order):
            row = by_strategy[strategy]
            low = row[min(row)]
            cells = [f"`{strategy}`", str(max(c.requests_total for c in row.values()))]
            cells += [_s(row[lat].seconds) if lat in row else "" for lat in latencies]
            cells += [_s(low.server_seconds), _s(low.client_seconds)]
            out.append("| " + " | ".join(cells) + " |")
        flat = by_strategy.get("store-recursive", {})
        speedups = []
        for other in ("store-traversal-seq", "store-traversal-16"):
            row = by_strategy.get(other, {})
            parts = [
                f"x{row[lat].seconds / flat[lat].seconds:.1f} @ {lat:g} ms"
                for lat in latencies
                if lat in row and lat in flat and flat[lat].seconds > 0
            ]
            if parts:
                speedups.append(f"`{other}` / `store-recursive`: " + ", ".join(parts))
        if speedups:
            out += ["", "Time ratio " + "; ".join(speedups) + "."]
        if tree in charts:
            out += ["", f"![{tree}]({charts[tree]})"]
        out.append("")
    return out


def _fits(run: BenchRun) -> list[LinearFit]:
    subtract = run.listing_modes != {"indexed"}
    groups: dict[tuple[str, str], list[ListingCase]] = defaultdict(list)
    for case in run.listing:
        groups[(case.tree, case.strategy)].append(case)
    fits = [fit_listing(cases, subtract_server=subtract) for cases in groups.values()]
    return sorted((f for f in fits if f is not None), key=lambda f: (f.tree, _order(f.strategy)))


def _model_section(run: BenchRun, rtts_ms: Sequence[float], objects: Sequence[int]) -> list[str]:
    fits = _fits(run)
    if not fits:
        return []
    subtract = run.listing_modes != {"indexed"}
    out = [
        "## Cost model",
        "",
        "`T(rtt) = base + slope x rtt`, least-squares over the measured latencies of each "
        "strategy on each tree; projection to n objects of the same shape: "
        "`T(n, rtt) = n / measured_objects x (base + slope x rtt)`.",
        "",
        "Assumptions:",
        "- `slope` = round trips on the critical path: exactly the request count for sequential "
        "strategies (each request waits for the previous one); for the thread pool fitted over "
        "the measured latencies (request count / effective concurrency).",
        "- `base` = latency-independent cost: per-page server time + per-object and per-request "
        "client time, measured at "
        + (
            "the target's server time **subtracted** (stock moto's O(bucket) scan is an artefact)."
            if subtract
            else "moto's (indexed) per-page service time, used as a stand-in for S3's."
        ),
        "- Scaling is linear in the object count with the tree's shape kept (objects per folder, "
        "depth): pages = n/1000 for flat streams; folders proportional to n for traversals.",
        "- `base` was measured on one machine where client, gateway and moto share the CPU; for "
        "the thread pool it is CPU-bound here (a real S3 serves concurrent requests in parallel)."
        " The thread pool's slope is capped by the measured concurrency, not by 16.",
        "- Not modelled: S3 request-rate limits (3,500 writes / 5,500 reads per second per "
        "prefix; a 16-thread traversal at >= 20 ms RTT issues < 800/s), throttling retries, "
        "client memory, network bandwidth.",
        "",
        "| tree | strategy | requests | base s | slope (round trips) | eff. concurrency "
        "| max model error |",
        "|---|---|---|---|---|---|---|",
    ]
    for fit in fits:
        conc = fit.effective_concurrency
        out.append(
            f"| {fit.tree} | `{fit.strategy}` | {fit.requests} | {_s(fit.base_seconds)} | "
            f"{fit.slope:.1f}{' (assumed)' if fit.assumed_slope else ''} | "
            f"{conc:.1f} | {fit.max_error:.0%} |"
        )
    out += ["", "Projected time of one complete listing:", ""]
    cols = [(n, rtt) for n in objects for rtt in rtts_ms]
    header = ["tree", "strategy"] + [f"{n:.0e} @ {rtt:g} ms" for n, rtt in cols]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for fit in fits:
        cells = [fit.tree, f"`{fit.strategy}`"]
        cells += [format_duration(fit.predict(rtt / 1000.0, n)) for n, rtt in cols]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return out


def _operations_section(run: BenchRun, chart: str | None) -> list[str]:
    if not run.operations:
        return []
    ratios = operation_ratios(run.operations)
    by_op: dict[str, dict[str, OperationCase]] = defaultdict(dict)
    for case in run.operations:
        by_op[case.operation][case.client] = case
    present = {c.client for c in run.operations}
    others = [c for c in _OTHER_CLIENTS if c in present]
    header = ["operation", "requests ours"] + [f"requests {c}" for c in others]
    header += ["s ours"] + [f"s {c}" for c in others]
    header += [f"s ours/{c}" for c in others] + [f"req ours/{c}" for c in others]
    out = [
        "## Operations: our Store vs "
        + ", ".join(f"raw {c}" if c != "peer" else "remote-store 0.33.0 (peer)" for c in others),
        "",
        "Same target, same gateway, no added latency. Seconds: wall time per call, fastest round.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for op, clients in by_op.items():
        r = ratios.get(op, {})
        cases = [clients.get("store")] + [clients.get(c) for c in others]
        cells = [op] + [_req(dict(c.requests)) if c else "" for c in cases]
        cells += [f"{c.seconds * 1000:.1f} ms" if c else "" for c in cases]
        cells += [f"{r[c]['seconds']:.2f}" if c in r else "" for c in others]
        cells += [f"{r[c]['requests']:.2f}" if c in r else "" for c in others]
        out.append("| " + " | ".join(cells) + " |")
    if chart:
        out += ["", f"![ours/other]({chart})"]
    out.append("")
    return out


def _stream_section(run: BenchRun) -> list[str]:
    if not run.streams:
        return []
    out = [
        "## Streaming through `open_atomic` / `read`",
        "",
        "Peak RSS growth is sampled (psutil, 2 ms) in this process only; the target runs in "
        "another process. Goal: < 64 MiB whatever the size.",
        "",
        "| operation | size | seconds | MiB/s | requests | peak RSS growth | goal met |",
        "|---|---|---|---|---|---|---|",
    ]
    mib = 1024 * 1024
    for s in run.streams:
        growth = s.peak_rss_growth_bytes
        goal = s.rss_goal_bytes
        met = "" if growth is None or goal is None else ("yes" if growth < goal else "**no**")
        out.append(
            f"| {s.operation} | {s.size_bytes / mib:.0f} MiB | {_s(s.seconds)} | "
            f"{s.size_bytes / mib / s.seconds:.0f} | {_req(dict(s.requests))} | "
            f"{'' if growth is None else f'{growth / mib:.1f} MiB'} | {met} |"
        )
    out.append("")
    return out


def render(
    run: BenchRun,
    out_dir: Path,
    *,
    charts: bool = True,
    rtts_ms: Sequence[float] = (20, 50, 100),
    objects: Sequence[int] = (10**6, 10**8),
) -> Path:
    """Write ``report.md`` (and PNG charts unless ``charts`` is False) into ``out_dir``."""
    from ._bench_charts import charts_available, listing_chart, ratio_chart

    out_dir.mkdir(parents=True, exist_ok=True)
    listing_charts: dict[str, str] = {}
    ratio_png: str | None = None
    if charts and charts_available():
        by_tree: dict[str, list[ListingCase]] = defaultdict(list)
        for case in run.listing:
            by_tree[case.tree].append(case)
        for tree, cases in by_tree.items():
            listing_charts[tree] = listing_chart(tree, cases, out_dir / f"listing-{tree}.png").name
        ratios = operation_ratios(run.operations)
        seconds = {op: {c: v["seconds"] for c, v in r.items()} for op, r in ratios.items() if r}
        if seconds:
            ratio_png = ratio_chart(seconds, out_dir / "operations-ratio.png").name
    lines = [
        "# remote-store benchmark report",
        "",
        f"- source: `{run.source}`",
        f"- run: {run.when or 'unknown'}; commit {run.commit or 'unknown'}",
        f"- machine: {run.machine or 'unknown'}; Python {run.python or 'unknown'}",
        "",
    ]
    lines += _listing_section(run, listing_charts) if run.listing else []
    lines += _model_section(run, rtts_ms, objects)
    lines += _operations_section(run, ratio_png)
    lines += _stream_section(run)
    report = out_dir / "report.md"
    report.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return report


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise BenchDataError(f"{what}: expected comma-separated numbers, got {text!r}") from exc
    if not values or any(v <= 0 for v in values):
        raise BenchDataError(f"{what}: expected positive numbers, got {text!r}")
    return values


def run(args: argparse.Namespace) -> int:
    try:
        data = load_run(args.json)
        rtts = _numbers(args.rtt_ms, "--rtt-ms")
        objects = [int(v) for v in _numbers(args.objects, "--objects")]
    except BenchDataError as exc:
        print(f"bench-report: {exc}", file=sys.stderr)
        return 2
    report = render(data, args.out, charts=not args.no_charts, rtts_ms=rtts, objects=objects)
    print(report)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"remote-store-harness {NAME}", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
