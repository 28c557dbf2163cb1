"""Entry point of the moto server subprocess.

Run as ``python -m remote_store_harness.targets._moto_server_main``.

Protocol with the parent (``MotoProcessTarget``): the child binds ``--host`` on ``--port`` (0 = any
free port), then prints exactly one JSON line ``{"port": N, "pid": P}`` on stdout and serves until
SIGTERM/SIGINT, or until its stdin reaches EOF (the parent died or closed the pipe), so a crashed
test run never leaves a moto server behind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="moto S3 server for remote_store_harness")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--indexed-listing",
        action="store_true",
        help="answer ListObjects(V2) from a sorted per-bucket key index (O(page), same answers)",
    )
    parser.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="emulate a server defect (repeatable; see _moto_defects.DEFECTS)",
    )
    parser.add_argument(
        "--no-stdin-watch",
        action="store_true",
        help="do not exit when stdin reaches EOF",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    endpoints = [e for e in os.environ.get("MOTO_S3_CUSTOM_ENDPOINTS", "").split(",") if e]
    for extra in ("http://s3.test", "https://s3.test"):
        if extra not in endpoints:
            endpoints.append(extra)
    # moto reads this at import time (URL patterns) and per request (path vs virtual host).
    os.environ["MOTO_S3_CUSTOM_ENDPOINTS"] = ",".join(endpoints)

    from werkzeug.serving import make_server

    from ._moto_app import build_app, silence_werkzeug

    silence_werkzeug()
    if args.defect:
        from ._moto_defects import install

        install(args.defect)
    app = build_app(path_style_host="s3.test", indexed=args.indexed_listing)
    server = make_server(args.host, args.port, app, threaded=True)
    stopping = threading.Event()

    def shutdown(*_: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if not args.no_stdin_watch:

        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            shutdown()

        threading.Thread(target=watch_stdin, daemon=True, name="stdin-watch").start()

    sys.stdout.write(json.dumps({"port": server.server_port, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    # Nothing else may go to the parent's pipe (nobody drains it): moto's stray prints go to stderr.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        sys.stderr.flush()
        # Skip interpreter teardown (seconds of module finalisation for moto): state is in memory.
        os._exit(0)


if __name__ == "__main__":
    main()
