"""Fixtures for driving ``remote-store-harness run`` end to end against harness topologies.

Each test gets topologies of its own (own gateway, so fault rules never leak between tests) on
the session's moto target, and buckets that are deleted afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import MotoProcessTarget, TopologySpec, start_topology
from remote_store_harness.cli._run import main
from remote_store_harness.pytest_plugin import scrubbed_environ, unique_bucket_name


@dataclass
class CliResult:
    code: int
    out: str
    err: str
    report: Path

    @property
    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report / "results.json").read_text())
        return data

    def probe_rows(self, index: int = 0) -> dict[str, dict[str, Any]]:
        return {row["check"]: row for row in self.results["probes"][index]["rows"]}


@dataclass
class Endpoint:
    """A harness topology plus a fresh bucket on it, described as a user would pass it."""

    topology: Any
    bucket: str
    target: Any

    def args(self, *extra: str) -> list[str]:
        creds = self.topology.credentials
        argv = ["--endpoint", self.topology.endpoint_url, "--bucket", self.bucket]
        argv += ["--key", creds.access_key, "--secret", creds.secret_key]
        if self.topology.ca_path is not None:
            argv += ["--ca", self.topology.ca_path]
        if self.topology.proxy_url is not None:
            argv += ["--proxy", self.topology.proxy_url]
        argv += ["--addressing", self.topology.spec.addressing]
        return argv + list(extra)

    def keys(self) -> list[str]:
        client = _direct_client(self.target)
        response = client.list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in response.get("Contents", [])]


class EndpointPool:
    """Starts topologies (each with its own gateway) on one target; ``close()`` removes all."""

    def __init__(self, target: Any, ca: Any) -> None:
        self._target, self._ca = target, ca
        self._started: list[tuple[Any, str]] = []

    def __call__(self, **fields: Any) -> Endpoint:
        topology = start_topology(TopologySpec(**fields), target=self._target, ca=self._ca)
        bucket = unique_bucket_name("cli")
        topology.create_bucket(bucket)
        self._started.append((topology, bucket))
        return Endpoint(topology, bucket, self._target)

    def close(self) -> None:
        for topology, bucket in self._started:
            topology.delete_bucket(bucket)
            topology.stop()


@contextmanager
def defective_endpoints(ca: Any, *defects: str) -> Iterator[EndpointPool]:
    """Endpoints on a moto process that emulates server ``defects`` (``_moto_defects.DEFECTS``)."""
    target = MotoProcessTarget(defects=list(defects)).start()
    pool = EndpointPool(target, ca)
    try:
        yield pool
    finally:
        pool.close()
        target.stop()


@pytest.fixture
def endpoint_factory(s3_target: Any, harness_ca: Any) -> Iterator[EndpointPool]:
    """``factory(**TopologySpec fields) -> Endpoint`` with its own gateway and a fresh bucket."""
    pool = EndpointPool(s3_target, harness_ca)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def module_endpoints(s3_target: Any, harness_ca: Any) -> Iterator[EndpointPool]:
    """Like ``endpoint_factory`` but shared by one module (for one run inspected many ways)."""
    pool = EndpointPool(s3_target, harness_ca)
    yield pool
    pool.close()


def run_cli_process(argv: Sequence[str], report: Path, *, timeout: float = 600) -> CliResult:
    """``python -m remote_store_harness.cli run ARGV --report REPORT`` in a child process."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "remote_store_harness.cli",
            "run",
            *argv,
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=scrubbed_environ(),
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr, report)


def _direct_client(target: Any) -> Any:
    """boto3 straight to the target (not through the gateway), to inspect what the run left."""
    import boto3
    from botocore.config import Config

    creds = target.credentials
    return boto3.client(
        "s3",
        endpoint_url=target.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        region_name=creds.region,
        config=Config(proxies={}, retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def run_cli(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[[Sequence[str]], CliResult]:
    """Run ``remote-store-harness run ARGS --report <tmp>`` in-process; capture fd 1 and 2."""

    def run(argv: Sequence[str]) -> CliResult:
        report = tmp_path / "report"
        capfd.readouterr()
        code = main([*argv, "--report", str(report)])
        captured = capfd.readouterr()
        return CliResult(code, captured.out, captured.err, report)

    return run
