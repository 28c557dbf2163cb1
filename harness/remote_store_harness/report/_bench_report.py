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

from .._events import format_duration
from ._bench_data import (
    FLAT,
    BenchDataError,
    BenchRun,
    LinearFit,
    ListingCase,
    ListingTable,
    OperationCase,
    fit_listing,
    listing_tables,
    load_run,
    strategy_order,
)
from ._document import (
    Block,
    Bullets,
    Document,
    Heading,
    Image,
    Inline,
    Mono,
    Paragraph,
    Strong,
    Table,
    to_markdown,
)

__all__ = [
    "HELP",
    "NAME",
    "add_arguments",
    "bench_blocks",
    "chart_images",
    "listing_blocks",
    "main",
    "operation_ratios",
    "render",
    "run",
]

NAME = "bench-report"
HELP = "turn pytest-benchmark JSON from benchmarks/ into a Markdown report with PNG charts"
DESCRIPTION = __doc__ or HELP

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


def _times(value: float | None) -> str:
    return "" if value is None else f"x{value:.1f}"


def _tree_blocks(table: ListingTable, image: Image | None) -> list[Block]:
    """The tree's numbers (requests, seconds per latency), its ratios to the flat stream, and
    the chart drawn from the same :class:`ListingTable`."""
    lats = table.latencies
    header = ["strategy", "requests"] + [f"time @ {lat:g} ms" for lat in lats]
    header += [f"server @ {lats[0]:g} ms", f"client @ {lats[0]:g} ms"]
    rows: list[list[Inline]] = []
    for strategy in table.strategies:
        seconds = table.seconds[strategy]
        row: list[Inline] = [Mono(strategy), str(table.requests[strategy])]
        row += [format_duration(seconds[lat]) if lat in seconds else "" for lat in lats]
        row += [
            format_duration(table.server_seconds[strategy]),
            format_duration(table.client_seconds[strategy]),
        ]
        rows.append(row)
    blocks: list[Block] = [
        Heading(3, f"{table.tree} ({table.size}): {table.objects:,} objects, "
                   f"{table.folders:,} folders"),
        Table(header, rows),
    ]  # fmt: skip
    others = [s for s in table.strategies if s != FLAT]
    if FLAT in table.strategies and others:
        ratio_rows: list[list[Inline]] = [
            [Mono(s), _times(table.request_ratio(s)),
             *(_times(table.seconds_ratio(s, lat)) for lat in lats)]
            for s in others
        ]  # fmt: skip
        blocks.append(Paragraph(["Each strategy against the flat stream ", Mono(FLAT), ":"]))
        blocks.append(
            Table(
                ["strategy", f"requests / {FLAT}"]
                + [f"time / {FLAT} @ {lat:g} ms" for lat in lats],
                ratio_rows,
            )
        )
    if image is not None:
        blocks.append(image)
    return blocks


def listing_blocks(run: BenchRun, images: dict[str, Image]) -> list[Block]:
    """The listing comparison: what was measured, then one table (+ chart) per tree."""
    blocks: list[Block] = [Heading(2, "Listing: flat stream vs folder-by-folder traversal")]
    modes = run.listing_modes
    if modes == {"indexed"}:
        blocks.append(Paragraph(
            "Target: moto in its own process with the harness' indexed listing (a sorted key "
            "index that the harness verifies gives exactly stock moto's answers), so a listing "
            "call costs the server time proportional to its page, not to the bucket. Server time "
            "is reported and kept in the model as a stand-in for S3's own service time."
        ))  # fmt: skip
    else:
        blocks.append(Paragraph([
            f"Target listing mode: {', '.join(sorted(modes))}. Stock moto scans and sorts every "
            "key of the bucket on every call, which inflates per-request server time; the cost "
            "model therefore ", Strong("subtracts"), " the measured server time.",
        ]))  # fmt: skip
    blocks.append(Paragraph(
        "Time is the wall time of one complete listing in its fastest round (least disturbed "
        "by other load; medians are in the JSON); requests are counted by the gateway (all "
        "ListObjectsV2). server = sum of upstream times, client = wall - server - injected "
        "latency (clipped at 0; for the thread pool these sums overlap). The chart of each tree "
        "draws the numbers of its table."
    ))  # fmt: skip
    for table in listing_tables(run.listing):
        blocks += _tree_blocks(table, images.get(table.tree))
    return blocks


def _fits(run: BenchRun) -> list[LinearFit]:
    subtract = run.listing_modes != {"indexed"}
    groups: dict[tuple[str, str], list[ListingCase]] = defaultdict(list)
    for case in run.listing:
        groups[(case.tree, case.strategy)].append(case)
    fits = [fit_listing(cases, subtract_server=subtract) for cases in groups.values()]
    return sorted(
        (f for f in fits if f is not None), key=lambda f: (f.tree, strategy_order(f.strategy))
    )


def _model_blocks(run: BenchRun, rtts_ms: Sequence[float], objects: Sequence[int]) -> list[Block]:
    fits = _fits(run)
    if not fits:
        return []
    subtract = run.listing_modes != {"indexed"}
    base_note: Sequence[Inline] = (
        ["the target's server time ", Strong("subtracted"),
         " (stock moto's O(bucket) scan is an artefact)."]
        if subtract
        else ["moto's (indexed) per-page service time, used as a stand-in for S3's."]
    )  # fmt: skip
    blocks: list[Block] = [
        Heading(2, "Cost model"),
        Paragraph([
            Mono("T(rtt) = base + slope x rtt"), ", least-squares over the measured latencies of "
            "each strategy on each tree; projection to n objects of the same shape: ",
            Mono("T(n, rtt) = n / measured_objects x (base + slope x rtt)"), ".",
        ]),
        Paragraph("Assumptions:"),
        Bullets([
            "slope = round trips on the critical path: exactly the request count for sequential "
            "strategies (each request waits for the previous one); for the thread pool fitted over "
            "the measured latencies (request count / effective concurrency).",
            ["base = latency-independent cost: per-page server time + per-object and per-request "
             "client time, measured at ", *base_note],
            "Scaling is linear in the object count with the tree's shape kept (objects per folder, "
            "depth): pages = n/1000 for flat streams; folders proportional to n for traversals.",
            "base was measured on one machine where client, gateway and moto share the CPU; for "
            "the thread pool it is CPU-bound here (a real S3 serves concurrent requests in "
            "parallel). The thread pool's slope is capped by the measured concurrency, not by 16.",
            "Not modelled: S3 request-rate limits (3,500 writes / 5,500 reads per second per "
            "prefix; a 16-thread traversal at >= 20 ms RTT issues < 800/s), throttling retries, "
            "client memory, network bandwidth.",
        ]),
        Table(
            ["tree", "strategy", "requests", "base", "slope (round trips)", "eff. concurrency",
             "max model error"],
            [[fit.tree, Mono(fit.strategy), str(fit.requests), format_duration(fit.base_seconds),
              f"{fit.slope:.1f}{' (assumed)' if fit.assumed_slope else ''}",
              f"{fit.effective_concurrency:.1f}", f"{fit.max_error:.0%}"] for fit in fits],
        ),
        Paragraph("Projected time of one complete listing:"),
    ]  # fmt: skip
    cols = [(n, rtt) for n in objects for rtt in rtts_ms]
    blocks.append(
        Table(
            ["tree", "strategy"] + [f"{n:.0e} @ {rtt:g} ms" for n, rtt in cols],
            [
                [
                    fit.tree,
                    Mono(fit.strategy),
                    *(format_duration(fit.predict(rtt / 1000.0, n)) for n, rtt in cols),
                ]
                for fit in fits
            ],
        )
    )
    return blocks


def _operations_blocks(run: BenchRun, image: Image | None) -> list[Block]:
    if not run.operations:
        return []
    ratios = operation_ratios(run.operations)
    by_op: dict[str, dict[str, OperationCase]] = defaultdict(dict)
    for case in run.operations:
        by_op[case.operation][case.client] = case
    present = {c.client for c in run.operations}
    others = [c for c in _OTHER_CLIENTS if c in present]
    header = ["operation", "requests ours"] + [f"requests {c}" for c in others]
    header += ["time ours"] + [f"time {c}" for c in others]
    header += [f"time ours/{c}" for c in others] + [f"req ours/{c}" for c in others]
    rows: list[list[Inline]] = []
    for op, clients in by_op.items():
        r = ratios.get(op, {})
        cases = [clients.get("store")] + [clients.get(c) for c in others]
        cells: list[Inline] = [op, *(_req(dict(c.requests)) if c else "" for c in cases)]
        cells += [format_duration(c.seconds) if c else "" for c in cases]
        cells += [f"{r[c]['seconds']:.2f}" if c in r else "" for c in others]
        cells += [f"{r[c]['requests']:.2f}" if c in r else "" for c in others]
        rows.append(cells)
    title = "Operations: our Store vs " + ", ".join(
        f"raw {c}" if c != "peer" else "remote-store 0.33.0 (peer)" for c in others
    )
    blocks: list[Block] = [
        Heading(2, title),
        Paragraph("Same target, same gateway, no added latency. Time: wall time per call, "
                  "fastest round."),
        Table(header, rows),
    ]  # fmt: skip
    if image is not None:
        blocks.append(image)
    return blocks


def _stream_blocks(run: BenchRun) -> list[Block]:
    if not run.streams:
        return []
    mib = 1024 * 1024
    rows: list[list[Inline]] = []
    for s in run.streams:
        growth = s.peak_rss_growth_bytes
        goal = s.rss_goal_bytes
        met: Inline = (
            "" if growth is None or goal is None else ("yes" if growth < goal else Strong("no"))
        )
        rows.append([
            s.operation, f"{s.size_bytes / mib:.0f} MiB", format_duration(s.seconds),
            f"{s.size_bytes / mib / s.seconds:.0f}", _req(dict(s.requests)),
            "" if growth is None else f"{growth / mib:.1f} MiB", met,
        ])  # fmt: skip
    return [
        Heading(2, "Streaming through open_atomic / read"),
        Paragraph("Peak RSS growth is sampled (psutil, 2 ms) in this process only; the target "
                  "runs in another process. Goal: < 64 MiB whatever the size."),
        Table(["operation", "size", "time", "MiB/s", "requests", "peak RSS growth", "goal met"],
              rows),
    ]  # fmt: skip


def _operation_seconds(run: BenchRun) -> dict[str, dict[str, float]]:
    ratios = operation_ratios(run.operations)
    return {op: {c: v["seconds"] for c, v in r.items()} for op, r in ratios.items() if r}


def chart_images(run: BenchRun, prefix: str = "") -> tuple[dict[str, Image], Image | None]:
    """(listing chart per tree, operations ratio chart) as images; empty without matplotlib."""
    from ._bench_charts import charts_available, listing_chart, ratio_chart

    if not charts_available():
        return {}, None
    listing = {
        table.tree: Image(f"{table.tree}: requests and time per strategy",
                          f"{prefix}listing-{table.tree}.png", listing_chart(table))
        for table in listing_tables(run.listing)
    }  # fmt: skip
    seconds = _operation_seconds(run)
    ratio = (
        Image("ours/other", f"{prefix}operations-ratio.png", ratio_chart(seconds))
        if seconds
        else None
    )
    return listing, ratio


def bench_blocks(
    run: BenchRun,
    *,
    images: dict[str, Image] | None = None,
    ratio_image: Image | None = None,
    model: tuple[Sequence[float], Sequence[int]] | None = None,
) -> list[Block]:
    """Every benchmark section with data: listing, cost model (when ``model`` gives the RTTs
    and object counts to project to), operations, streams. The run report uses the same."""
    blocks = listing_blocks(run, images or {}) if run.listing else []
    if model is not None:
        blocks += _model_blocks(run, *model)
    return blocks + _operations_blocks(run, ratio_image) + _stream_blocks(run)


def render(
    run: BenchRun,
    out_dir: Path,
    *,
    charts: bool = True,
    rtts_ms: Sequence[float] = (20, 50, 100),
    objects: Sequence[int] = (10**6, 10**8),
) -> Path:
    """Write ``report.md`` (and PNG charts unless ``charts`` is False) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images, ratio_image = chart_images(run) if charts else ({}, None)
    for image in [*images.values(), *([ratio_image] if ratio_image else [])]:
        if image.file and image.png:
            (out_dir / image.file).write_bytes(image.png)
    doc = Document("remote-store benchmark report")
    doc.add(Bullets([
        ["source: ", Mono(run.source)],
        f"run: {run.when or 'unknown'}; commit {run.commit or 'unknown'}",
        f"machine: {run.machine or 'unknown'}; Python {run.python or 'unknown'}",
    ]))  # fmt: skip
    doc.extend(bench_blocks(run, images=images, ratio_image=ratio_image, model=(rtts_ms, objects)))
    report = out_dir / "report.md"
    report.write_text(to_markdown(doc), encoding="utf-8")
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
