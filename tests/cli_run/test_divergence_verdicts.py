"""Verdict levels: failures a probe finding explains are server divergences (exit 0), unless
--strict; the endpoint is moto with the ``copy_adds_metadata`` defect (CopyObject adds 'mtime')."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import FaultRule

from .conftest import EndpointPool, defective_endpoints, run_cli_process

_CASES = [
    "--quick",
    "--suite", "probe,conformance",
    "--pytest-arg=-k",
    "--pytest-arg=test_user_metadata_is_preserved_on_the_destination or test_read_bytes",
]  # fmt: skip


@pytest.fixture(scope="module")
def copy_adds_metadata(harness_ca: Any) -> Iterator[EndpointPool]:
    with defective_endpoints(harness_ca, "copy_adds_metadata") as pool:
        yield pool


def test_failures_explained_by_the_probe_pass_with_server_divergences(
    copy_adds_metadata: EndpointPool, tmp_path: Path
) -> None:
    result = run_cli_process(copy_adds_metadata().args(*_CASES), tmp_path)
    verdict = result.results["verdict"]
    assert result.code == 0, result.out[-3000:]
    assert result.results["status"] == verdict["status"] == "passed with server divergences"
    listed = {(d["divergence"], d["probe_check"], d["nodeid"].rpartition("[")[2]) for d in
              verdict["divergences"]}  # fmt: skip
    assert listed == {
        ("copy-adds-mtime", "copy_metadata", "s3-http-copy]"),
        ("copy-adds-mtime", "copy_metadata", "s3-http-move]"),
    }
    assert "PASSED WITH SERVER DIVERGENCES" in result.out
    report = (tmp_path / "report.md").read_text()
    assert report.index("## Verdict") < report.index("## Summary")
    assert "server divergence copy-adds-mtime" in report


def test_strict_turns_server_divergences_into_a_failed_run(
    copy_adds_metadata: EndpointPool, tmp_path: Path
) -> None:
    result = run_cli_process(copy_adds_metadata().args(*_CASES, "--strict"), tmp_path)
    assert result.code == 1
    assert result.results["status"] == "failed"
    assert "Run FAILED" in result.out


def test_an_unexplained_failure_beside_server_divergences_still_fails_the_run(
    copy_adds_metadata: EndpointPool, tmp_path: Path
) -> None:
    endpoint = copy_adds_metadata()
    # No probe check explains a GetObject body that differs from what was written.
    endpoint.topology.faults.add(
        FaultRule(kind="corrupt", operation="GetObject", path=r"/f\.bin$", first=1)
    )
    result = run_cli_process(endpoint.args(*_CASES), tmp_path)
    verdict = result.results["verdict"]
    assert result.code == 1, result.out[-3000:]
    assert result.results["status"] == verdict["status"] == "failed"
    assert {d["divergence"] for d in verdict["divergences"]} == {"copy-adds-mtime"}
    [reason] = verdict["reasons"]
    assert reason.endswith("test_read.py::test_read_bytes_returns_what_was_written[s3-http]")
    assert "Run FAILED" in result.out and "PASSED WITH SERVER DIVERGENCES" not in result.out
    report = (tmp_path / "report.md").read_text()
    assert "status: **failed**" in report
    verdict_section = report[report.index("## Verdict") : report.index("## Summary")]
    assert f"- failed: {reason}" in verdict_section
    assert "server divergence copy-adds-mtime" in verdict_section


def test_the_same_cases_on_stock_moto_simply_pass(
    module_endpoints: EndpointPool, tmp_path: Path
) -> None:
    result = run_cli_process(module_endpoints().args(*_CASES), tmp_path)
    assert result.code == 0, result.out[-3000:]
    assert result.results["status"] == "passed"
    assert result.results["verdict"]["divergences"] == []


@pytest.fixture(scope="module")
def drops_subfolder_prefixes(harness_ca: Any) -> Iterator[EndpointPool]:
    with defective_endpoints(harness_ca, "drop_subfolder_prefixes") as pool:
        yield pool


def test_listing_failures_explained_by_the_subfolder_probe_pass_with_server_divergences(
    drops_subfolder_prefixes: EndpointPool, tmp_path: Path
) -> None:
    argv = ["--quick", "--suite", "probe,conformance",
            "--pytest-arg=-k", "--pytest-arg=holding_only_subfolders and s3-http"]  # fmt: skip
    result = run_cli_process(drops_subfolder_prefixes().args(*argv), tmp_path)
    verdict = result.results["verdict"]
    assert result.code == 0, result.out[-3000:]
    assert verdict["status"] == "passed with server divergences"
    assert verdict["reasons"] == [] and verdict["predicted_failures_that_passed"] == []
    explained = {d["nodeid"].rpartition("::")[2] for d in verdict["divergences"]}
    assert {(d["divergence"], d["probe_check"]) for d in verdict["divergences"]} == {
        ("subfolder-only-prefix-dropped", "delimiter_subfolders")
    }
    assert explained == {
        "test_list_folders_includes_a_folder_holding_only_subfolders[s3-http]",
        "test_list_folders_of_the_root_includes_a_folder_holding_only_subfolders[s3-http]",
        "test_list_folders_with_depth_walks_through_a_folder_holding_only_subfolders[s3-http]",
        "test_iter_children_includes_a_folder_holding_only_subfolders[s3-http]",
    }
    assert "list_folders and iter_children return incomplete results" in result.out  # console
    report = (tmp_path / "report.md").read_text()
    assert "server divergence subfolder-only-prefix-dropped" in report
    assert (
        "delimiter_subfolders (wrong listing): list_folders and iter_children return "
        "incomplete results" in report
    )
