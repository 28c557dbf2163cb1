"""The run never writes into a prefix that already holds objects, and never deletes them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from remote_store_harness import Latency
from remote_store_harness.pytest_plugin import scrubbed_environ

from .conftest import _direct_client


def test_non_empty_prefix_is_refused_with_one_line_and_status_5(
    endpoint_factory: Any, run_cli: Any
) -> None:
    endpoint = endpoint_factory()
    _direct_client(endpoint.target).put_object(
        Bucket=endpoint.bucket, Key="mine/keep.txt", Body=b"user data"
    )
    endpoint.topology.request_log.clear()
    result = run_cli(endpoint.args("--suite", "probe", "--prefix", "mine/"))
    assert result.code == 5
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "is not empty" in lines[0]
    assert endpoint.keys() == ["mine/keep.txt"]


def test_refused_prefix_sees_no_write_requests(endpoint_factory: Any, run_cli: Any) -> None:
    endpoint = endpoint_factory()
    _direct_client(endpoint.target).put_object(Bucket=endpoint.bucket, Key="mine/a", Body=b"x")
    endpoint.topology.request_log.clear()
    run_cli(endpoint.args("--suite", "probe", "--prefix", "mine/"))
    operations = set(endpoint.topology.request_log.operations())
    assert operations <= {"HeadBucket", "ListObjectsV2"}


def test_objects_beside_the_prefix_are_left_alone(endpoint_factory: Any, run_cli: Any) -> None:
    endpoint = endpoint_factory()
    client = _direct_client(endpoint.target)
    client.put_object(Bucket=endpoint.bucket, Key="other/keep.txt", Body=b"user data")
    result = run_cli(endpoint.args("--suite", "probe", "--quick", "--prefix", "probe-here/"))
    assert result.code == 0, result.err
    assert endpoint.keys() == ["other/keep.txt"]


def test_interrupt_mid_probe_removes_what_was_written(
    endpoint_factory: Any, tmp_path: Path
) -> None:
    endpoint = endpoint_factory()
    endpoint.topology.set_latency(Latency(fixed_ms=20))  # slow enough to interrupt mid-way
    argv = endpoint.args("--suite", "probe", "--prefix", "interrupted/")
    process = subprocess.Popen(
        [sys.executable, "-m", "remote_store_harness.cli", "run", *argv,
         "--report", str(tmp_path / "report")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=scrubbed_environ(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(endpoint.keys()) < 5:
            time.sleep(0.1)
        assert endpoint.keys(), "the probe never wrote anything"
        os.kill(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    endpoint.topology.set_latency(Latency())
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["remote-store-harness run: interrupted"]
    assert endpoint.keys() == []
