"""Our S3 backend against boto3, boto3's TransferManager, s3fs, obstore and minio, in one run.

Usage (from the repository root, with the ``dev`` extra installed)::

    python benchmarks/peers.py           # moto and rclone, CI sizes (64 MiB, 2,000 objects)
    python benchmarks/peers.py --full    # 1 GiB transfers, 20,000 objects
    python benchmarks/peers.py --targets rclone --rounds 5

Prints one Markdown table per target: per case the time of each client (best of the rounds),
``ours / best peer`` and, for transfers, the server ceiling (a raw signed ``PUT``/``GET``) and
the peak RSS growth. Timings belong here, never in a test (see ``test_peers.py`` for the smoke
checks CI runs).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchlib.memory import peak_rss
from _benchlib.peers import (
    CLIENTS,
    Case,
    Endpoint,
    MiB,
    make_clients,
    raw_get,
    raw_put,
    rclone_endpoint,
    run_interleaved,
    threaded,
)

BUCKET = "bench-peers"


def _moto() -> tuple[Any, Endpoint]:
    from remote_store_harness.targets import MotoProcessTarget

    target = MotoProcessTarget(indexed_listing=True).start()
    c = target.credentials
    target.create_bucket(BUCKET)
    return target, Endpoint("moto", target.endpoint_url, c.access_key, c.secret_key, c.region)


def _populate(ep: Endpoint, count: int, target: Any) -> None:
    items = [(f"list/d{i % 20}/f{i:06d}", 16) for i in range(count)]
    if target is not None:
        target.populate(BUCKET, items)
        return
    client = make_clients(ep, BUCKET, ("boto3",))["boto3"].client

    def put(i: int) -> None:
        client.put_object(Bucket=BUCKET, Key=items[i][0], Body=b"x" * 16)

    threaded(put, count, 16)()


def _transfers(ep: Endpoint, clients: dict[str, Any], mib: int, rounds: int) -> list[Case]:
    big = os.urandom(mib * MiB)
    size = len(big)

    def put(c: Any, n: str, data: bytes = big) -> Any:
        return lambda: c.put(f"big/{n}", data)

    def put_stream(c: Any, n: str, data: bytes = big) -> Any:
        return lambda: c.put_stream(f"big/{n}", io.BytesIO(data))

    def ceiling(data: bytes = big) -> None:
        raw_put(ep, BUCKET, "big/ceiling", data)

    cases = []
    for label, make in ((f"write {mib} MiB bytes", put), (f"write {mib} MiB stream", put_stream)):
        work = {n: make(c, n) for n, c in clients.items()}
        work["ceiling"] = ceiling
        case = Case(label, unit_bytes=size)
        cases.append(run_interleaved(case, work, rounds=rounds, rss=peak_rss))
    del big, put, put_stream, ceiling
    work = {n: (lambda c=c, n=n: c.get(f"big/{n}")) for n, c in clients.items()}
    work["ceiling"] = lambda: raw_get(ep, BUCKET, "big/ceiling")
    case = Case(f"read_bytes {mib} MiB", unit_bytes=size)
    cases.append(run_interleaved(case, work, rounds=rounds, rss=peak_rss))
    return cases


CASES = ("small", "transfers", "listing", "threads")
#: Not in the default run: what an ``exists`` miss can cost at best on this target.
FLOOR = "exists-floor"


def exists_floor(ep: Endpoint, rounds: int, n: int = 30) -> Case:
    """``exists`` on a miss against raw boto3: one HEAD, one LIST (MaxKeys=1), both at once.

    Ours answers a miss with one ``ListObjectsV2(Prefix=key, MaxKeys=1)``, so boto3's LIST
    alone is its floor; HEAD + LIST from two threads is what asking both questions costs. One
    HEAD is the goal's yardstick (issue 17: at most 1.3x).
    """
    from botocore.exceptions import ClientError

    clients = make_clients(ep, BUCKET, ("ours", "boto3"))
    ours, boto3 = clients["ours"], clients["boto3"].client
    pool = concurrent.futures.ThreadPoolExecutor(2)

    def head() -> None:
        with contextlib.suppress(ClientError):
            boto3.head_object(Bucket=BUCKET, Key="no/such/key")

    def list_one() -> None:
        boto3.list_objects_v2(Bucket=BUCKET, Prefix="no/such/key/", MaxKeys=1)

    def both() -> None:
        for future in [pool.submit(head), pool.submit(list_one)]:
            future.result()

    work = {
        "boto3 HEAD": lambda: [head() for _ in range(n)],
        "boto3 LIST MaxKeys=1": lambda: [list_one() for _ in range(n)],
        "boto3 HEAD + LIST, 2 threads": lambda: [both() for _ in range(n)],
        "ours exists": lambda: [ours.exists("no/such/key") for _ in range(n)],
    }
    try:
        return run_interleaved(Case("exists on a miss", unit_count=n), work, rounds=rounds)
    finally:
        pool.shutdown()
        for client in clients.values():
            client.close()


def floor_report(target: str, case: Case) -> str:
    head = case.best("boto3 HEAD")
    lines = [
        f"### {target}: exists floor",
        "",
        "| request(s) | ms (best) | / one HEAD |",
        "|---|---|---|",
    ]
    for name in case.seconds:
        seconds = case.best(name) / case.unit_count
        lines.append(f"| {name} | {seconds * 1e3:.2f} | {case.best(name) / head:.2f} |")
    return "\n".join(lines)


def run_target(
    ep: Endpoint,
    target: Any,
    *,
    mib: int,
    objects: int,
    rounds: int,
    cases: tuple[str, ...] = CASES,
    clients_named: tuple[str, ...] = CLIENTS,
) -> list[Case]:
    clients = make_clients(ep, BUCKET, clients_named)
    results: list[Case] = []
    small = os.urandom(4096)
    for name, client in clients.items():
        client.put(f"small/{name}", small)

    def per_op(label: str, op: Any, n: int = 20) -> Case:
        work = {
            name: (lambda c=c, name=name: [op(c, name) for _ in range(n)])
            for name, c in clients.items()
        }
        return run_interleaved(Case(label, unit_count=n), work, rounds=rounds)

    if "small" in cases:
        results.append(per_op("write 4 KiB", lambda c, n: c.put(f"small/{n}", small)))
        results.append(per_op("read 4 KiB", lambda c, n: c.get(f"small/{n}")))
        results.append(per_op("exists on a miss", lambda c, n: c.exists("no/such/key")))
    if "transfers" in cases:
        results.extend(_transfers(ep, clients, mib, rounds))

    if "listing" in cases:
        _populate(ep, objects, target)
        work = {n: (lambda c=c: c.count("list/")) for n, c in clients.items()}
        listing = Case(f"recursive listing {objects:,}", unit_count=objects)
        results.append(run_interleaved(listing, work, rounds=rounds))

    if "threads" in cases:
        total = 1000
        work = {
            n: threaded(lambda i, c=c, n=n: c.put(f"conc/{n}/{i % 100}", small), total, 16)
            for n, c in clients.items()
        }
        concurrent = Case("1,000 x 4 KiB writes, 16 threads", unit_count=total)
        results.append(run_interleaved(concurrent, work, rounds=rounds))
    for client in clients.values():
        client.close()
    return results


def _figure(case: Case, client: str) -> str:
    seconds = case.best(client)
    if case.unit_bytes:
        return f"{case.unit_bytes / MiB / seconds:,.0f} MiB/s"
    if "threads" in case.name:
        return f"{case.unit_count / seconds:,.0f} ops/s"
    if case.unit_count and "listing" in case.name:
        cpu = min(case.cpu[client]) / case.unit_count * 1e6
        return f"{seconds:.2f} s, {cpu:.0f} µs CPU/obj"
    return f"{seconds / case.unit_count * 1e3:.2f} ms"


def report(target: str, cases: list[Case]) -> str:
    clients = [c for c in (*CLIENTS, "ceiling") if any(c in case.seconds for case in cases)]
    head = [*clients, "ours/best peer (time)", "ours/ceiling (time)", "RSS growth MiB ours/lowest"]
    lines = [f"### {target}", "", "| case | " + " | ".join(head) + " |"]
    lines.append("|---|" + "---|" * len(head))
    for case in cases:
        cells = [_figure(case, c) if c in case.seconds else "-" for c in clients]
        peer = case.best_peer()
        ratio = f"{case.best('ours') / case.best(peer):.2f} ({peer})"
        if "listing" in case.name:
            ratio += f"; CPU vs boto3 {min(case.cpu['ours']) / min(case.cpu['boto3']):.2f}"
        ceiling = "-"
        if "ceiling" in case.seconds:
            ceiling = f"{case.best('ours') / case.best('ceiling'):.2f}"
        memory = "-"
        if case.rss:
            peers = [c for c in case.rss if c not in ("ours", "ceiling")]
            low = min(peers, key=case.rss.__getitem__)
            memory = f"{case.rss['ours'] / MiB:,.0f} / {case.rss[low] / MiB:,.0f} ({low})"
        cells += [ratio, ceiling, memory]
        lines.append(f"| {case.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="moto,rclone")
    parser.add_argument("--full", action="store_true", help="1 GiB transfers and 20,000 objects")
    parser.add_argument("--mib", type=int, default=None)
    parser.add_argument("--objects", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"subset of {','.join(CASES)},{FLOOR}"
    )
    parser.add_argument("--clients", default=",".join(CLIENTS), help="subset of the clients")
    args = parser.parse_args(argv)
    chosen = tuple(args.cases.split(","))
    unknown = set(chosen) - {*CASES, FLOOR}
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    options: dict[str, Any] = {
        "cases": tuple(c for c in chosen if c != FLOOR),
        "clients_named": tuple(args.clients.split(",")),
    }
    mib = args.mib or (1024 if args.full else 64)
    objects = args.objects or (20_000 if args.full else 2_000)
    from remote_store_harness.pytest_plugin import scrub_environment

    scrub_environment(os.environ)  # no CA bundle, proxy or AWS profile of the caller applies

    def measure(label: str, ep: Endpoint, target: Any) -> None:
        if options["cases"]:
            cases = run_target(ep, target, mib=mib, objects=objects, rounds=args.rounds, **options)
            print(report(label, cases), flush=True)
        if FLOOR in chosen:
            print(floor_report(label, exists_floor(ep, args.rounds)), flush=True)

    for name in args.targets.split(","):
        if name == "moto":
            target, ep = _moto()
            try:
                measure("moto (MotoProcessTarget, indexed listing)", ep, target)
            finally:
                target.stop()
        elif name == "rclone":
            with rclone_endpoint((BUCKET,)) as ep:
                if ep is None:
                    print("### rclone\n\nskipped: no rclone binary", flush=True)
                    continue
                measure("rclone serve s3", ep, None)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
