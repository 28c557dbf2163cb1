"""What fetching the next listing page ahead buys: our listing with and without it, and boto3.

Usage (from the repository root, with the ``dev`` extra installed)::

    python benchmarks/prefetch.py                      # 5,000 objects, 20 ms per request
    python benchmarks/prefetch.py --objects 20000 --latency-ms 5 --rounds 5
    python benchmarks/prefetch.py --consumer-ms 100    # a consumer busy 100 ms per 1,000 files

One moto subprocess (indexed listing) behind the harness gateway, which adds the latency to
every request and counts them. Each round lists the same prefix three ways, order rotated:
``ours`` (the backend as shipped: the request for page n+1 leaves when page n is yielded),
``ours, no prefetch`` (the same backend with each page requested only when the consumer needs
it, which is how it behaved before) and boto3's paginator. Every run must see every object and
send exactly ``ceil(N / 1000)`` requests, or the script fails. ``--consumer-ms`` makes the
consumer wait that long after every 1,000 files (I/O of its own, such as writing results out):
prefetching can only hide the shorter of that time and a page's request.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchlib.env import start_env
from _benchlib.peers import Case, run_interleaved

BUCKET = "bench-prefetch"


class _OnDemand:
    """A ``Pending`` that sends its request only when its answer is wanted (no prefetch)."""

    def __init__(self, transport: Any, operation: str, kwargs: dict[str, Any]) -> None:
        self._call = lambda: transport.call(operation, **kwargs)

    def result(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._call()
        return answer

    def cancel(self) -> None:
        pass


@contextmanager
def no_prefetch() -> Iterator[None]:
    from remote_store.backends.s3._transport import S3Transport

    original = S3Transport.start

    def start(self: Any, operation: str, **kwargs: Any) -> Any:
        return _OnDemand(self, operation, kwargs)

    S3Transport.start = start  # type: ignore[method-assign]
    try:
        yield
    finally:
        S3Transport.start = original  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--consumer-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    from remote_store_harness.pytest_plugin import scrub_environment

    scrub_environment(os.environ)
    env = start_env(indexed_listing=True)
    try:
        env.target.create_bucket(BUCKET)
        env.target.populate(BUCKET, [(f"p/d{i % 20}/f{i:06d}", 16) for i in range(args.objects)])
        store, boto3 = env.store(BUCKET), env.boto3_client()
        pages = math.ceil(args.objects / 1000)

        def consume(files: Iterator[Any]) -> int:
            seen = 0
            for _ in files:
                seen += 1
                if args.consumer_ms and seen % 1000 == 0:
                    time.sleep(args.consumer_ms / 1000)
            return seen

        def ours() -> int:
            return consume(store.list_files("p", recursive=True))

        def ours_on_demand() -> int:
            with no_prefetch():
                return ours()

        def paginator() -> int:
            listing = boto3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="p/")
            return consume(obj for page in listing for obj in page.get("Contents", ()))

        def checked(work: Any) -> Any:
            def run() -> None:
                mark = env.log.mark()
                assert work() == args.objects
                assert env.log.operations(since=mark) == {"ListObjectsV2": pages}

            return run

        env.set_latency_ms(args.latency_ms)
        work = {"ours": ours, "ours, no prefetch": ours_on_demand, "boto3 paginator": paginator}
        case = run_interleaved(
            Case("listing", unit_count=args.objects),
            {name: checked(fn) for name, fn in work.items()},
            rounds=args.rounds,
        )
    finally:
        env.stop()
    base = case.median("ours, no prefetch")
    print(
        f"### {args.objects:,} objects, {pages} pages, {args.latency_ms:g} ms per request, "
        f"consumer {args.consumer_ms:g} ms per 1,000 files\n"
    )
    print("| listing | s (median) | s (best) | / no prefetch (median) |")
    print("|---|---|---|---|")
    for name in work:
        print(
            f"| {name} | {case.median(name):.2f} | {case.best(name):.2f} "
            f"| {case.median(name) / base:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
