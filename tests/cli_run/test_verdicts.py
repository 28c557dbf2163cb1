"""A run never says passed unless tests ran and passed (suites._verdict.decide)."""

from __future__ import annotations

from pathlib import Path

from remote_store_harness.suites._runner import CaseResult, SuiteResult
from remote_store_harness.suites._verdict import FAILED, PASSED, decide

from .conftest import run_cli_process


def _suite(status: str, *outcomes: str) -> SuiteResult:
    cases = [CaseResult(f"t.py::test_{i}[memory]", o, 0.0) for i, o in enumerate(outcomes)]
    return SuiteResult("conformance", status, cases=cases)


def test_a_suite_that_executed_no_test_fails_the_run() -> None:
    verdict = decide([_suite("passed", "skipped", "skipped")], [])
    assert verdict.status == FAILED and verdict.exit_code == 1
    assert verdict.reasons == ["conformance: executed no test"]


def test_an_unavailable_suite_fails_the_run() -> None:
    assert decide([_suite("unavailable")], []).status == FAILED


def test_a_not_applicable_suite_is_left_out_of_the_verdict() -> None:
    verdict = decide([_suite("passed", "passed"), _suite("not-applicable")], [])
    assert verdict.status == PASSED and verdict.exit_code == 0


def test_an_unexplained_failure_fails_the_run() -> None:
    verdict = decide([_suite("failed", "passed", "failed")], [])
    assert verdict.status == FAILED
    assert verdict.reasons == ["conformance: failed t.py::test_1[memory]"]


def test_a_run_whose_selection_executes_nothing_fails(tmp_path: Path) -> None:
    result = run_cli_process(
        ["--suite", "conformance", "--pytest-arg=-k", "--pytest-arg=no_such_case_anywhere"],
        tmp_path,
    )
    assert result.code == 1
    assert result.results["status"] == "failed"
    assert "Run FAILED" in result.out
    assert "Run FAILED" in (tmp_path / "report.md").read_text().replace("**failed**", "Run FAILED")
