"""``run --endpoint``: the endpoint exactly as given by default; the harness' own TLS gateway,
forward proxy and virtual-host topologies in front of it only with ``--harness-topologies``.

The "external" endpoint is a harness topology on the session's moto process, passed to the run
as a user would pass their own service.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from remote_store_harness.suites.conformance.backends.s3 import HARNESS_TOPOLOGY_IDS

from .conftest import CliResult, EndpointPool, run_cli_process

_ONE_TEST = ["--suite", "conformance", "--pytest-arg=-k",
             "--pytest-arg=test_read_bytes_returns_what_was_written"]  # fmt: skip


def _backend_ids(result: CliResult) -> dict[str, str]:
    cases = result.results["suites"][0]["cases"]
    return {c["nodeid"].rsplit("[", 1)[1].rstrip("]"): c["outcome"] for c in cases}


def test_by_default_only_the_endpoint_as_given_runs(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    result = run_cli_process(endpoint_factory().args(*_ONE_TEST), tmp_path)
    assert result.code == 0, result.out[-2000:]
    assert _backend_ids(result) == {"s3-http": "passed"}
    assert "--harness-topologies" not in (tmp_path / "report.md").read_text()


def test_harness_topologies_run_conformance_through_tls_proxy_and_virtual_host_too(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory()
    result = run_cli_process(endpoint.args(*_ONE_TEST, "--harness-topologies"), tmp_path)
    assert result.code == 0, result.out[-2000:]
    assert _backend_ids(result) == dict.fromkeys(HARNESS_TOPOLOGY_IDS, "passed")
    assert "--harness-topologies" in (tmp_path / "report.md").read_text()
    assert endpoint.keys() == []  # every id worked under its own prefix and removed it


def test_harness_topologies_skip_with_the_reason_where_the_gateway_cannot_front_the_endpoint(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True)  # https: the gateway forwards to plain http only
    result = run_cli_process(endpoint.args(*_ONE_TEST, "--harness-topologies"), tmp_path)
    assert result.code == 0, result.out[-2000:]
    assert _backend_ids(result) == {"s3-http": "passed"} | dict.fromkeys(
        HARNESS_TOPOLOGY_IDS[1:], "skipped"
    )
    skipped = [c for c in result.results["suites"][0]["cases"] if c["outcome"] == "skipped"]
    assert all("cannot front it" in c["message"] for c in skipped)


def test_harness_topologies_without_an_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli_process(["--suite", "probe", "--harness-topologies"], tmp_path)
    assert result.code == 2
    assert "--harness-topologies only make sense with --endpoint" in result.err


def test_run_help_documents_harness_topologies_and_what_quick_covers() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "remote_store_harness.cli", "run", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    text = " ".join(completed.stdout.split())
    assert "--harness-topologies" in text and "exactly as given" in text
    assert "s3-tls-proxy-virtual" in text  # --quick says which conformance ids it runs
