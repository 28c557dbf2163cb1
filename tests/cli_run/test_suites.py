"""The pytest suites driven by ``run``: per-case outcomes, status, and the external path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import FaultRule

from .conftest import EndpointPool, _direct_client, run_cli_process


@pytest.fixture(scope="module")
def memory_conformance(tmp_path_factory: pytest.TempPathFactory) -> Any:
    report = tmp_path_factory.mktemp("memory-conformance")
    return run_cli_process(["--suite", "conformance", "--pytest-arg=-kmemory"], report)


def test_suite_run_records_one_outcome_per_collected_case(memory_conformance: Any) -> None:
    suite = memory_conformance.results["suites"][0]
    assert memory_conformance.code == 0, memory_conformance.err
    assert suite["name"] == "conformance" and suite["status"] == "passed"
    assert len(suite["cases"]) == sum(suite["counts"].values()) > 100
    assert all(c["nodeid"].endswith("]") and "memory" in c["nodeid"] for c in suite["cases"])


def test_skipped_cases_carry_their_reason(memory_conformance: Any) -> None:
    skipped = [
        c for c in memory_conformance.results["suites"][0]["cases"] if c["outcome"] == "skipped"
    ]
    assert skipped and all(c["message"] for c in skipped)


def test_pytest_output_goes_to_a_log_in_the_report(memory_conformance: Any) -> None:
    log = Path(memory_conformance.results["suites"][0]["log"])
    assert log.parent == memory_conformance.report
    assert "passed" in log.read_text()
    assert "=====" not in memory_conformance.out  # pytest's own terminal output is not shown


def test_a_pytest_usage_error_marks_the_suite_as_error_and_fails_the_run(tmp_path: Path) -> None:
    result = run_cli_process(
        ["--suite", "conformance", "--pytest-arg=-m", "--pytest-arg=not_a_marker and ("], tmp_path
    )
    assert result.results["suites"][0]["status"] == "error"
    assert result.code == 1


def test_failing_cases_fail_the_suite_and_the_run(
    module_endpoints: EndpointPool, tmp_path: Path
) -> None:
    endpoint = module_endpoints()
    endpoint.topology.faults.add(
        FaultRule(kind="error", operation="GetObject", status=500, code="InternalError")
    )
    argv = endpoint.args(
        "--suite",
        "conformance",
        "--pytest-arg=-k",
        "--pytest-arg=s3-http and test_read_bytes_returns_what_was_written",
    )
    result = run_cli_process(argv, tmp_path)  # fmt: skip
    suite = result.results["suites"][0]
    assert suite["status"] == "failed" and suite["counts"].get("failed", 0) >= 1
    assert all(c["message"] for c in suite["cases"] if c["outcome"] == "failed")
    assert result.code == 1
    assert endpoint.keys() == []


def test_conformance_against_an_external_endpoint_uses_only_the_given_bucket(
    module_endpoints: EndpointPool, tmp_path: Path
) -> None:
    endpoint = module_endpoints()
    client = _direct_client(endpoint.target)
    buckets_before = {b["Name"] for b in client.list_buckets()["Buckets"]}
    argv = endpoint.args("--suite", "conformance", "--pytest-arg=-k",
                         "--pytest-arg=s3-http and test_read")  # fmt: skip
    result = run_cli_process(argv, tmp_path)
    assert result.code == 0, result.out[-2000:]
    cases = result.results["suites"][0]["cases"]
    assert cases and all("s3-http" in c["nodeid"] for c in cases)
    assert {c["outcome"] for c in cases} <= {"passed", "skipped"}
    assert {b["Name"] for b in client.list_buckets()["Buckets"]} == buckets_before
    assert endpoint.keys() == []


def test_scenarios_and_bench_asked_for_against_an_external_endpoint_fail_as_unavailable(
    module_endpoints: EndpointPool, tmp_path: Path
) -> None:
    endpoint = module_endpoints()
    result = run_cli_process(endpoint.args("--suite", "scenarios,bench"), tmp_path)
    statuses = {s["name"]: s["status"] for s in result.results["suites"]}
    assert statuses == {"scenarios": "unavailable", "bench": "unavailable"}
    assert result.code == 1  # nothing the user asked for ran: never "passed"
    assert result.results["status"] == "failed"
