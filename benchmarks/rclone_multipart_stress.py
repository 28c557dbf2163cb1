"""Stress loop (not in CI): large multipart writes to ``rclone serve s3`` with parts in flight.

Usage (from the repository root)::

    python benchmarks/rclone_multipart_stress.py --runs 5          # s3fs's 15 s read_timeout
    python benchmarks/rclone_multipart_stress.py --runs 5 --read-timeout 120

Each run writes ``--mib`` MiB (``bytes`` and/or a stream) with ``upload_concurrency`` parts in
flight, then checks the stored size with a HEAD. Every retry botocore decides on, and every
failure with the service's error code, is printed. What it showed (benchmarks/README.md,
"rclone and parts in flight"): rclone streams parts to disk in part order, and the answer to the
part whose handler is streaming waits until the parts that arrived meanwhile are streamed too, so
under load one ``UploadPart`` answer can take longer than s3fs's 15 s ``read_timeout``; botocore
then re-sends that part, and rclone refuses the ``CompleteMultipartUpload`` with ``InvalidPart``
although every part it lists matches.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchlib.peers import MiB, rclone_endpoint

BUCKET = "stress"


class _Printer(logging.Handler):
    """Print botocore's retry decisions and any warning (our failed aborts among them)."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        retry = record.name == "botocore.retryhandler" and message != "No retry needed."
        if retry or record.levelno >= logging.WARNING:
            print(f"  [{record.name}] {time.strftime('%H:%M:%S')} {message[:300]}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--sources", default="bytes", help="comma list of bytes,stream")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--read-timeout", type=float, default=None)
    args = parser.parse_args(argv)

    from remote_store_harness.pytest_plugin import scrub_environment

    from remote_store import Store
    from remote_store.backends import S3Backend

    scrub_environment(os.environ)
    for name in ("botocore.retryhandler", "remote_store"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(_Printer())
    config: dict[str, Any] = {"proxies": {}}
    if args.read_timeout is not None:
        config["read_timeout"] = args.read_timeout
    body = os.urandom(args.mib * MiB)
    failures = 0
    with rclone_endpoint((BUCKET,)) as ep:
        if ep is None:
            print("skipped: no rclone binary")
            return 0
        backend = S3Backend(
            BUCKET,
            endpoint_url=ep.url,
            key=ep.access_key,
            secret=ep.secret_key,
            region_name=ep.region,
            conditional_writes=False,
            upload_concurrency=args.concurrency,
            client_options={"config_kwargs": config},
        )
        with Store(backend) as store:
            for run in range(args.runs):
                for source in args.sources.split(","):
                    key = f"stress/{run}-{source}"
                    content: Any = body if source == "bytes" else io.BytesIO(body)
                    started = time.perf_counter()
                    try:
                        store.write(key, content, overwrite=True)
                    except Exception as exc:
                        failures += 1
                        print(f"run {run} {source}: FAILED {exc} (cause: {exc.__cause__!r})")
                        continue
                    seconds = time.perf_counter() - started
                    same = store.get_file_info(key).size == len(body)
                    rate = args.mib / seconds
                    print(f"run {run} {source}: size ok {same}, {rate:.0f} MiB/s")
    print(f"failures: {failures} of {args.runs * len(args.sources.split(','))}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
