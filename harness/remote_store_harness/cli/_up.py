"""``remote-store-harness up``: bring a topology up, print how to use it, show live requests."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..observe._requestlog import RequestRecord
    from ..topology import Topology

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "up"
HELP = "start a target behind the gateway (and proxy), print exports, show the live request log"
DESCRIPTION = """\
Start an S3 target (moto by default) behind the harness gateway, optionally with TLS from a fresh
harness CA and a forward proxy that resolves s3.test / *.s3.test. Prints the export lines, a
remote_store config snippet (YAML) and a one-line check command, then prints one line per request
until Ctrl-C (SIGINT) or SIGTERM, and cleans everything up.

example:
  remote-store-harness up --tls --proxy --addressing virtual --latency-ms 20
  # in another shell: paste the printed export lines, then run the printed check command
"""


def _proxy_auth(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise argparse.ArgumentTypeError("expected USER:PASS")
    return user, password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a harness CA leaf")
    parser.add_argument(
        "--proxy",
        nargs="?",
        const="forward",
        default=None,
        choices=("forward", "squid"),
        help="put a forward proxy in front: the harness's own (default; resolves s3.test and "
        "*.s3.test to the gateway) or `squid` (Debian's Squid with a generated config: CONNECT "
        "only to the gateway port, s3.test via a hosts file, Basic auth with --proxy-auth)",
    )
    parser.add_argument(
        "--proxy-auth",
        type=_proxy_auth,
        metavar="USER:PASS",
        default=None,
        help="require these proxy credentials (407 otherwise); implies --proxy",
    )
    parser.add_argument(
        "--addressing",
        choices=("path", "virtual"),
        default="path",
        help="S3 addressing style clients should use (default: path)",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, metavar="N", help="added latency per request"
    )
    parser.add_argument(
        "--jitter-ms", type=float, default=0.0, metavar="N", help="extra uniform random latency"
    )
    parser.add_argument(
        "--target",
        choices=("moto", "moto-thread", "minio", "rclone", "rclone-tls"),
        default="moto",
        help="S3 server behind the gateway (default: moto in a subprocess); rclone: `rclone serve "
        "s3` (checks signatures); rclone-tls: rclone serving HTTPS itself with a leaf of the "
        "harness CA (reached directly: no --tls/--proxy/latency)",
    )
    parser.add_argument(
        "--indexed-listing",
        action="store_true",
        help="moto only: answer listings from a sorted key index (same answers, O(page))",
    )
    parser.add_argument(
        "--bucket", default="harness", metavar="NAME", help="bucket to create (default: harness)"
    )
    parser.add_argument(
        "--certs-dir",
        default="certs",
        metavar="DIR",
        help="where the CA certificate ca.pem is written with --tls (default: ./certs)",
    )
    parser.add_argument(
        "--exit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop by itself after SECONDS (for scripts and tests)",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="print the set-up information, then stop at once (same as --exit-after 0)",
    )
    parser.add_argument(
        "--json", action="store_true", help="log requests as JSON lines instead of text"
    )


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid YAML scalar


def _yaml(data: dict[str, Any], indent: int = 0) -> list[str]:
    lines: list[str] = []
    pad = "  " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            if value:
                lines.append(f"{pad}{key}:")
                lines.extend(_yaml(value, indent + 1))
            else:
                lines.append(f"{pad}{key}: {{}}")
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}")
    return lines


def config_snippet(topology: Topology, bucket: str) -> str:
    """remote_store registry config (YAML) for ``bucket`` on ``topology``."""
    options = topology.s3_options(bucket)
    kwargs = options["client_options"]["config_kwargs"]
    note = ""
    if "connector_args" in kwargs:
        kwargs = {k: v for k, v in kwargs.items() if k != "connector_args"}
        options["client_options"] = {"config_kwargs": kwargs}
        note = (
            "# NOTE: *.s3.test must resolve to 127.0.0.1 for virtual addressing without --proxy;\n"
            "# in Python pass client_options.config_kwargs.connector_args.resolver =\n"
            "# remote_store_harness.HarnessResolver() (cannot be written in YAML).\n"
        )
    data = {
        "backends": {"harness-s3": {"type": "s3", "options": options}},
        "stores": {"harness": {"backend": "harness-s3"}},
    }
    return note + "\n".join(_yaml(data))


def check_command(topology: Topology, bucket: str) -> str:
    """A one-line boto3 command that lists ``bucket`` using only the exported environment."""
    code = (
        "import boto3; from botocore.config import Config; "
        f'c = boto3.client("s3", config=Config(s3={{"addressing_style": '
        f'"{topology.spec.addressing}"}})); '
        f'c.put_object(Bucket="{bucket}", Key="hello.txt", Body=b"hello"); '
        f'print([o["Key"] for o in c.list_objects_v2(Bucket="{bucket}").get("Contents", [])])'
    )
    return f"python -c {shlex.quote(code)}"


def format_record(record: RequestRecord) -> str:
    """One human-readable line per request."""
    stamp = time.strftime("%H:%M:%S", time.localtime(record.started_at))
    target = record.path + (f"?{record.query}" if record.query else "")
    status = str(record.status) if record.status is not None else "---"
    upstream = (
        f"{record.upstream_seconds * 1000:7.1f}ms"
        if record.upstream_seconds is not None
        else "      -  "
    )
    extra = []
    if record.fault:
        extra.append(f"fault={record.fault}")
    if record.stripped:
        extra.append(f"stripped={','.join(record.stripped)}")
    if record.error:
        extra.append(f"error={record.error}")
    scheme = "https" if record.tls else "http"
    return (
        f"{record.seq:6d} {stamp} {status} {upstream} {record.operation:<24} "
        f"{record.method} {scheme}://{record.host}{target} {' '.join(extra)}".rstrip()
    )


def _record_json(record: RequestRecord) -> str:
    return json.dumps(
        {
            "seq": record.seq,
            "started_at": record.started_at,
            "method": record.method,
            "host": record.host,
            "path": record.path,
            "query": record.query,
            "operation": record.operation,
            "status": record.status,
            "upstream_seconds": record.upstream_seconds,
            "tls": record.tls,
            "fault": record.fault,
        }
    )


def _print_intro(topology: Topology, bucket: str, out: TextIO) -> None:
    target = topology.target
    print(f"# remote-store-harness: {topology.spec.label()} is up", file=out)
    print(f"# target   {target.name} at {target.endpoint_url}", file=out)
    print(f"# gateway  {topology.gateway_url}", file=out)
    if topology.proxy is not None:
        print(f"# proxy    {topology.proxy.url}", file=out)
    if topology.ca_path:
        print(f"# CA       {topology.ca_path}", file=out)
    print(f"# bucket   {bucket}", file=out)
    if topology.needs_resolver:
        print(
            "# warning: virtual addressing without --proxy needs *.s3.test -> 127.0.0.1 "
            "(no system resolver does that; prefer --proxy)",
            file=out,
        )
    print("\n# environment (paste into a shell):", file=out)
    for name, value in topology.env().items():
        print(f"export {name}={shlex.quote(value)}", file=out)
    print("\n# remote_store config (YAML):", file=out)
    print(config_snippet(topology, bucket), file=out)
    print("\n# check (after the exports):", file=out)
    print(check_command(topology, bucket), file=out)
    print("\n# live request log (Ctrl-C to stop):", file=out, flush=True)


def run(args: argparse.Namespace) -> int:
    from ..net._tls import HarnessCA
    from ..observe._faults import Latency
    from ..targets import TargetUnavailable
    from ..topology import TopologySpec, start_topology

    out = sys.stdout
    proxy_auth: bool | tuple[str, str] = args.proxy_auth or False
    spec = TopologySpec(
        target=args.target,
        tls=args.tls,
        proxy=args.proxy or ("forward" if args.proxy_auth else "none"),
        proxy_auth=proxy_auth,
        addressing=args.addressing,
        latency=Latency(fixed_ms=args.latency_ms, jitter_ms=args.jitter_ms),
        indexed_listing=args.indexed_listing,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    certs_dir = Path(args.certs_dir).resolve()
    try:
        try:
            topology = start_topology(
                spec,
                ca=HarnessCA.create() if args.tls or args.target == "rclone-tls" else None,
                certs_dir=certs_dir if args.tls else None,
                log_maxlen=10_000,
            )
        except TargetUnavailable as exc:
            print(f"remote-store-harness: target unavailable: {exc}", file=sys.stderr)
            return 2
        try:
            topology.create_bucket(args.bucket)
            _print_intro(topology, args.bucket, out)
            fmt = _record_json if args.json else format_record
            lock = threading.Lock()

            def show(record: RequestRecord) -> None:
                line = fmt(record)
                with lock:
                    print(line, file=out, flush=True)

            unsubscribe = topology.request_log.subscribe(show)
            timeout = 0.0 if args.once else args.exit_after
            deadline = None if timeout is None else time.monotonic() + timeout
            while not stop.is_set():
                remaining = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
                if remaining <= 0:
                    break
                stop.wait(remaining)
            unsubscribe()
        finally:
            topology.stop()
        print("# stopped; bye", file=out, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
