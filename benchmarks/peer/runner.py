"""Drive remote-store 0.33.0 (the peer) in its own environment and time it; print JSON.

Run by ``benchmarks/test_peer.py`` with the peer environment's Python, once per case. It reuses
the benchmark's own strategy and operation code (``_benchlib`` needs only the standard library
and a ``Store``-like object), so ours and the peer's figures come from the same code against the
same gateway; the calling test counts the requests in the gateway's log. This file must not
import our package: in this environment ``remote_store`` *is* the peer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ for _benchlib


def _store(options: dict[str, Any]) -> Any:
    from remote_store import Store
    from remote_store.backends import S3Backend

    return Store(S3Backend(**options))


def _admin(options: dict[str, Any]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=options.pop("admin_endpoint"),
        aws_access_key_id=options["key"],
        aws_secret_access_key=options["secret"],
        region_name=options.get("region_name"),
        config=Config(proxies={}),
    )


def run_listing(options: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    from _benchlib.strategies import STRATEGIES, Clients

    strategy = STRATEGIES[args.case]
    options.pop("admin_endpoint", None)
    store = _store(options)
    clients = Clients(lambda: store, None, None, options["bucket"])
    rounds = []
    for _ in range(args.rounds):
        t0, start = time.time(), time.perf_counter()
        found = strategy.run(clients, args.prefix, args.max_depth)
        wall = time.perf_counter() - start
        rounds.append(
            {
                "wall": wall,
                "start": t0,
                "end": time.time(),
                "found": sorted(found) if args.keys else len(found),
            }
        )
    return rounds


def run_operation(options: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    from _benchlib.operations import OPERATIONS, OpEnv

    case = OPERATIONS[args.case]
    admin = _admin(options)
    store = _store(options)
    env = OpEnv(options["bucket"], lambda: store, None, None, admin)
    rounds = []
    for _ in range(args.rounds):
        call_args = case.setup(env)
        t0, start = time.time(), time.perf_counter()
        result = case.run["store"](env, *call_args)
        wall = time.perf_counter() - start
        rounds.append({"wall": wall, "start": t0, "end": time.time()})
        case.verify(result, *call_args)
    case.after(env, *call_args)
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--self-check", action="store_true")
    parser.add_argument("--kind", choices=("listing", "operation"))
    parser.add_argument("--case")
    parser.add_argument("--options", help="JSON: S3Backend options (+ admin_endpoint)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--prefix", default="t")
    parser.add_argument("--max-depth", type=int, default=0)
    parser.add_argument("--keys", action="store_true", help="return the found keys")
    args = parser.parse_args()
    import remote_store

    version = getattr(remote_store, "__version__", "unknown")
    if args.self_check:
        print(json.dumps({"version": version}))
        return 0
    options = json.loads(args.options)
    runner = run_listing if args.kind == "listing" else run_operation
    print(json.dumps({"version": version, "rounds": runner(options, args)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
