"""docs/scenarios.md: the scenario matrix lists every collected scenario case, also when
pytest-xdist spreads the cases over workers (each worker hands its rows to the controller, which
writes one file). Two child pytest runs (collect, then two workers): ~5 s on an idle machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_under_xdist_the_matrix_holds_every_workers_rows_in_collection_order(
    tmp_path: Path,
) -> None:
    pytest.importorskip("xdist")
    matrix = tmp_path / "matrix.json"
    selection = ["tests/scenarios/test_scenario_addressing.py", "-k", "minio"]  # skip fast here
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "-q", *selection],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    node_ids = [line for line in collected.stdout.splitlines() if "::" in line]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2",
         "--dist", "load", "--scenario-matrix", str(matrix), *selection],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads(matrix.read_text(encoding="utf-8"))
    assert len(node_ids) >= 4
    assert [case["test"] for case in document["cases"]] == node_ids
    assert document["summary"]["cases"] == len(node_ids)
