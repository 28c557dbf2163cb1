"""The report writer: summary table, three files, versions, charts, recommendation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import Credentials, Endpoint
from remote_store_harness.probe import ProbeReport, ProbeRow, ProbeTarget
from remote_store_harness.probe._recommend import recommend
from remote_store_harness.report._run_report import (
    RunRecord,
    collect_versions,
    recommendations_text,
    summary_text,
    write_report,
)
from remote_store_harness.suites._runner import CaseResult, SuiteResult

TARGET = ProbeTarget(
    Endpoint("https://s3.example:9000", Credentials("AKID", "SECRET"), ca_path="/etc/ca.pem"), "bkt"
)


def _record() -> RunRecord:
    suite = SuiteResult(
        "conformance", "failed",
        cases=[CaseResult("t::a", "passed", 0.1), CaseResult("t::b", "failed", 0.2, "boom"),
               CaseResult("t::c", "skipped", 0.0, "no docker")],
        seconds=61.0,
    )  # fmt: skip
    rows = [
        ProbeRow("conditional_put", "If-None-Match on PUT", "no", "fail",
                 "conditional writes not honoured", "PUT -> 200",),
        ProbeRow("latency", "Latency", "yes", "info", "median 1 ms", "",
                 data={"samples_ms": [1.0, 1.2, 0.9]}),
    ]  # fmt: skip
    probe = ProbeReport(TARGET, "p/", rows=rows, recommendation=recommend(TARGET, rows))
    return RunRecord(
        command=["remote-store-harness", "run", "--quick"], started_at="2026-01-01T00:00:00Z",
        mode="external", quick=True, suites=[suite], probes=[probe], wall_seconds=75.0,
        status="failed", versions={"python": "3.11.7", "boto3": "1.0"},
    )  # fmt: skip


def test_summary_table_lists_each_suite_with_counts_and_time() -> None:
    text = summary_text(_record())
    line = next(x for x in text.splitlines() if x.startswith("conformance"))
    assert line.split() == ["conformance", "failed", "1", "1", "0", "1", "0", "01:01"]


def test_summary_has_a_probe_matrix_row_per_question() -> None:
    text = summary_text(_record())
    assert "NO: conditional writes not honoured" in text
    assert "Run FAILED in 01:15" in text


def test_write_report_creates_markdown_html_and_json(tmp_path: Path) -> None:
    paths = write_report(_record(), tmp_path)
    assert sorted(p.name for p in paths.values()) == ["report.html", "report.md", "results.json"]
    data = json.loads(paths["json"].read_text())
    assert data["command_line"] == "remote-store-harness run --quick"
    assert data["suites"][0]["counts"] == {"failed": 1, "passed": 1, "skipped": 1}


def test_html_is_self_contained_with_embedded_png_charts(tmp_path: Path) -> None:
    html = write_report(_record(), tmp_path)["html"].read_text()
    assert html.count("data:image/png;base64,") == 2  # suite outcomes + latency
    assert "<link" not in html and "<script" not in html


def test_markdown_carries_recommendation_failures_and_versions(tmp_path: Path) -> None:
    md = write_report(_record(), tmp_path)["md"].read_text()
    assert "conditional_writes: false" in md
    assert "| t::b | failed | boom |" in md
    assert "| boto3 | 1.0 |" in md


def test_versions_cover_every_component_involved() -> None:
    versions = collect_versions()
    for name in ("python", "remote-store-s3kit", "boto3", "botocore", "aiobotocore", "s3fs",
                 "moto", "trustme", "paramiko", "remote_store.__version__"):  # fmt: skip
        assert versions[name]


def test_probe_row_of_the_summary_counts_findings_as_failed() -> None:
    text = summary_text(_record())
    line = next(x for x in text.splitlines() if x.startswith("probe target"))
    assert line.split()[2:8] == ["findings", "1", "1", "0", "0", "0"]


def test_scenario_matrix_is_summarised_with_the_cases_that_did_not_pass(tmp_path: Path) -> None:
    record = _record()
    record.scenario_matrix = {
        "scenarios": {"proxies": {"cases": 2, "passed": 1, "failed": 1}},
        "cases": [
            {"scenario": "proxies", "case": "ok[x]", "outcome": "passed", "expected": "200"},
            {"scenario": "proxies", "case": "bad[y]", "outcome": "failed", "expected": "407",
             "observed": "timeout"},
        ],
    }  # fmt: skip
    md = write_report(record, tmp_path)["md"].read_text()
    assert "| proxies | 2 | 1 | 1 | 0 |" in md
    assert "| proxies | bad[y] | failed | 407 | timeout |" in md
    assert "ok[x]" not in md


def _listing(strategy: str, latency_ms: float, seconds: float, requests: int) -> dict[str, Any]:
    extra = {"kind": "listing", "tree": "wide", "size": "ci", "strategy": strategy,
             "latency_ms": latency_ms, "objects": 2000, "folders": 201,
             "requests": {"ListObjectsV2": requests}, "requests_total": requests,
             "wall_seconds": seconds, "listing_mode": "indexed"}  # fmt: skip
    return {"name": f"test_listing[{strategy}-{latency_ms}]", "stats": {"median": 9.0},
            "extra_info": extra}  # fmt: skip


def _with_bench() -> RunRecord:
    record = _record()
    record.bench = {"benchmarks": [
        _listing("store-recursive", 0, 0.3, 2), _listing("store-recursive", 20, 0.34, 2),
        _listing("store-traversal-seq", 0, 2.0, 201), _listing("store-traversal-seq", 20, 6.0, 201),
    ]}  # fmt: skip
    return record


def test_benchmark_section_tabulates_requests_time_and_the_flat_traversal_ratio(
    tmp_path: Path,
) -> None:
    md = write_report(_with_bench(), tmp_path)["md"].read_text()
    bench = md[md.index("## Benchmarks") : md.index("## Versions")]
    assert "| `store-recursive` | 2 | 300 ms | 340 ms |" in bench
    assert "| `store-traversal-seq` | 201 | 2 s | 6 s |" in bench
    assert "| `store-traversal-seq` | x100.5 | x6.7 | x17.6 |" in bench


def test_benchmark_chart_is_a_file_for_markdown_and_embedded_in_html(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = write_report(_with_bench(), tmp_path)
    assert "(listing-wide.png)" in paths["md"].read_text()
    assert (tmp_path / "listing-wide.png").read_bytes()[:4] == b"\x89PNG"
    assert paths["html"].read_text().count("data:image/png;base64,") == 3


def test_markdown_and_html_carry_the_same_benchmark_numbers(tmp_path: Path) -> None:
    paths = write_report(_with_bench(), tmp_path)
    html = paths["html"].read_text()
    for cell in ("<code>store-traversal-seq</code>", "<td>201</td>", "<td>x17.6</td>",
                 "<td>340 ms</td>"):  # fmt: skip
        assert cell in html


def test_unreadable_benchmark_json_is_named_not_hidden(tmp_path: Path) -> None:
    record = _record()
    record.bench = {"benchmarks": [{"name": "x", "extra_info": {}}]}
    md = write_report(record, tmp_path)["md"].read_text()
    assert "> not shown: bench.json: no remote-store benchmark cases" in md


def test_console_recommendation_is_verbatim_config_with_the_consequences() -> None:
    record = _record()
    text = recommendations_text(record)
    recommendation = record.probes[0].recommendation
    assert recommendation is not None
    assert text.startswith("Recommended remote_store config for target\n")
    assert recommendation.yaml().rstrip() in text and recommendation.python().rstrip() in text
    assert f"- {recommendation.consequences[0]}" in text
    assert "conditional_put (conditional writes not honoured): write(..., overwrite=False)" in text
