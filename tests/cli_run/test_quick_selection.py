"""``run --quick`` selects a small subset that still covers every embedded topology and the
flat-vs-traversal listing comparison (``suites/_quick.py``).

Each selection is collected (not run) with the arguments the run passes, so a renamed test or
parametrisation id that would silently drop cases from the quick run fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from remote_store_harness.pytest_plugin import scrubbed_environ
from remote_store_harness.suites._quick import QUICK, QUICK_CONFORMANCE_IDS
from remote_store_harness.suites._runner import locate_suites, suite_path
from remote_store_harness.suites.conformance.backends import s3 as s3_plugin

from .conftest import CliResult, run_cli_process

_ROOT = locate_suites()


def _collect(suite: str) -> list[str]:
    """Node ids the quick selection of *suite* collects, with the run's own arguments."""
    assert _ROOT is not None
    selection = QUICK[suite]
    folder = suite_path(suite, _ROOT)
    paths = [str(folder / f) for f in selection.files] or [str(folder)]
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", *paths, "--collect-only", "-q", "-p", "no:cacheprovider",
         *selection.args],
        cwd=_ROOT, capture_output=True, text=True, timeout=300, env=scrubbed_environ(),
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return [line for line in completed.stdout.splitlines() if "::" in line]


def test_quick_conformance_stacks_tls_proxy_and_virtual_host_besides_plain_http() -> None:
    specs = [s3_plugin._SPECS[i] for i in QUICK_CONFORMANCE_IDS if i in s3_plugin._SPECS]
    assert {"tls": False, "proxy": "none", "addressing": "path"} in specs
    assert {"tls": True, "proxy": "forward", "addressing": "virtual"} in specs
    assert "memory" in QUICK_CONFORMANCE_IDS


def test_quick_conformance_runs_exactly_its_backend_ids() -> None:
    nodeids = _collect("conformance")
    backend_ids = {
        next(i for i in sorted(QUICK_CONFORMANCE_IDS, key=len, reverse=True) if f"[{i}" in n)
        for n in nodeids
    }
    assert backend_ids == set(QUICK_CONFORMANCE_IDS)
    assert not [n for n in nodeids if re.search(r"\[s3-(minio|rclone|tls-virtual|tls-proxy-p)", n)]
    assert len(nodeids) >= 3 * 200  # most of the suite, on each id


def test_quick_scenarios_keep_every_scenario_file_and_leave_out_squid() -> None:
    nodeids = _collect("scenarios")
    assert _ROOT is not None
    files = {p.name for p in (_ROOT / "tests" / "scenarios").glob("test_*.py")}
    assert {Path(n.split("::")[0]).name for n in nodeids} == files
    assert not [n for n in nodeids if "squid" in n or "slowdown" in n]
    assert [n for n in nodeids if "forward" in n]  # the harness proxy's cases stay
    cache = [n for n in nodeids if "ext_cache_is_stale_until_ttl_or_invalidate" in n]
    assert cache and all("[invalidate-" in n for n in cache)  # only the TTL waits go


def test_quick_bench_is_the_flat_against_traversal_listing_on_one_tree() -> None:
    nodeids = _collect("bench")
    names = sorted(n.split("::")[1] for n in nodeids)
    assert names == [
        "test_listing[wide-store-recursive-5ms]",
        "test_listing[wide-store-traversal-16-5ms]",
        "test_listing[wide-store-traversal-seq-5ms]",
    ]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    """``run --quick`` on the embedded target, narrowed to one conformance test and to the
    flat and the threaded traversal listing (the sequential one costs the most and adds no
    request count the threaded one does not have)."""
    keep = "test_read_bytes_returns_what_was_written or store-recursive or store-traversal-16"
    argv = ["--quick", "--suite", "conformance,bench", "--pytest-arg=-k", f"--pytest-arg={keep}"]
    return run_cli_process(argv, tmp_path_factory.mktemp("quick"))


def test_the_quick_run_passes_its_selection_to_conformance(quick_run: CliResult) -> None:
    assert quick_run.code == 0, quick_run.out[-3000:]
    suites = {s["name"]: s for s in quick_run.results["suites"]}
    ids = {c["nodeid"].rsplit("[", 1)[1].rstrip("]") for c in suites["conformance"]["cases"]}
    assert ids == set(QUICK_CONFORMANCE_IDS)
    assert f"--quick conformance: {QUICK['conformance'].covers}" in quick_run.results["notes"]
    assert f"[conformance] --quick: {QUICK['conformance'].covers}" in quick_run.out


def test_the_quick_run_compares_flat_and_traversal_listing_in_requests(
    quick_run: CliResult,
) -> None:
    bench = json.loads((quick_run.report / "bench.json").read_text())
    requests = {
        b["extra_info"]["strategy"]: b["extra_info"]["requests"] for b in bench["benchmarks"]
    }
    assert requests == {
        "store-recursive": {"ListObjectsV2": 2},  # 2,000 objects: two pages
        "store-traversal-16": {"ListObjectsV2": 201},  # one per folder
    }
