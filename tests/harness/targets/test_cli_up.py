"""``remote-store-harness up`` end to end, in a subprocess, driven like a user would."""

from __future__ import annotations

import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from remote_store_harness.cli._main import build_parser
from remote_store_harness.pytest_plugin import scrubbed_environ
from targets_helpers import port_is_closed


class LineReader:
    """Reads a child's stdout on a thread so the test can wait for lines with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert proc.stdout is not None
        stdout = proc.stdout

        def pump() -> None:
            for line in stdout:
                self._queue.put(line.rstrip("\n"))
            self._queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def until(self, predicate: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if re.search(predicate, line):
                return line
        raise AssertionError(f"no line matching {predicate!r}; got:\n" + "\n".join(self.lines))


def test_help_lists_every_option() -> None:
    parser = build_parser()
    up_help = parser._subparsers._group_actions[0].choices["up"].format_help()  # type: ignore[union-attr]
    for option in (
        "--tls",
        "--proxy",
        "--proxy-auth",
        "--addressing",
        "--latency-ms",
        "--target",
        "--bucket",
        "--certs-dir",
        "--exit-after",
        "--once",
    ):
        assert option in up_help


def test_up_prints_exports_serves_requests_and_stops_on_sigint(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "remote_store_harness.cli",
            "up",
            "--tls",
            "--proxy",
            "--addressing",
            "virtual",
            "--bucket",
            "cli-bucket",
            "--certs-dir",
            str(certs),
            "--exit-after",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=scrubbed_environ(),
    )
    try:
        out = LineReader(proc)
        target_line = out.until(r"^# target ")
        out.until(r"^# live request log")
        exports = dict(
            line[len("export ") :].split("=", 1) for line in out.lines if line.startswith("export ")
        )
        exports = {k: shlex.split(v)[0] for k, v in exports.items()}
        assert exports["AWS_CA_BUNDLE"] == str(certs / "ca.pem")
        assert (certs / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        assert exports["AWS_ENDPOINT_URL"].startswith("https://s3.test:")
        assert exports["HTTPS_PROXY"].startswith("http://127.0.0.1:")
        assert any(line.strip() == 'type: "s3"' for line in out.lines)
        check = next(line for line in out.lines if line.startswith("python -c "))

        result = subprocess.run(
            check,
            shell=True,
            env={**scrubbed_environ(), **exports},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "hello.txt" in result.stdout
        put_line = out.until(r"PutObject")
        assert "https://cli-bucket.s3.test:" in put_line
        out.until(r"ListObjectsV2")

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        out.until(r"^# stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    target_port = int(target_line.rsplit(":", 1)[1])
    gateway_port = int(exports["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    assert port_is_closed(target_port) and port_is_closed(gateway_port)


def test_up_once_exits_by_itself(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "remote_store_harness.cli",
            "up",
            "--once",
            "--target",
            "moto-thread",
            "--certs-dir",
            str(tmp_path / "c"),
        ],
        capture_output=True,
        text=True,
        env=scrubbed_environ(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in result.stdout
    assert "AWS_CA_BUNDLE" not in result.stdout
    assert result.stdout.rstrip().endswith("# stopped; bye")


@pytest.mark.parametrize("bad", [["up", "--proxy-auth", "nocolon"], ["up", "--target", "s3"]])
def test_up_rejects_bad_arguments(bad: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(bad)
    assert info.value.code == 2
