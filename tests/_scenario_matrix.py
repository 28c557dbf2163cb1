"""Writing the scenario matrix (format: ``docs/scenarios.md``) from the rows of one pytest run.

The rows are recorded by ``tests/scenarios/conftest.py``. In a plain run that conftest writes the
matrix when the session ends. Under pytest-xdist every worker records only its share: it hands
its rows to the controller (``workeroutput[WORKER_ROWS]``), and the root ``tests/conftest.py``
(the one conftest the controller loads) merges them and writes the one matrix, in collection
order, at the same path a plain run uses.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

MATRIX_ENV = "SCENARIO_MATRIX_PATH"
MATRIX_FORMAT_VERSION = 1
#: The ``workeroutput`` key a worker's rows travel under: JSON of ``[[position, row], ...]``,
#: ``position`` being the test's index in the (identical) collection of every worker.
WORKER_ROWS = "scenario_matrix_rows"

_FIELDS = (
    "scenario",
    "case",
    "test",
    "parameters",
    "expected",
    "observed",
    "outcome",
    "message",
    "evidence",
    "duration_s",
)


def matrix_path(config: pytest.Config) -> Path:
    """``--scenario-matrix``, else ``$SCENARIO_MATRIX_PATH``, else ``<basetemp>/...``."""
    try:
        option = config.getoption("scenario_matrix", default=None)
    except ValueError:
        option = None
    if option:
        return Path(str(option))
    env = os.environ.get(MATRIX_ENV)
    if env:
        return Path(env)
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        return Path(factory.getbasetemp()) / "scenario-matrix.json"
    return Path(str(config.rootpath)) / ".scenario-matrix.json"


def write_matrix(config: pytest.Config, placed: Iterable[Sequence[Any]]) -> None:
    """Write the matrix of ``placed`` rows (``[position, row]`` pairs, any order); none: no file."""
    ordered = [row for _, row in sorted(placed, key=lambda pair: int(pair[0]))]
    if not ordered:
        return
    summary: dict[str, int] = {"cases": len(ordered)}
    for outcome in ("passed", "failed", "error", "skipped"):
        summary[outcome] = sum(1 for r in ordered if r["outcome"] == outcome)
    by_scenario: dict[str, dict[str, int]] = {}
    for row in ordered:
        counts = by_scenario.setdefault(row["scenario"], {"cases": 0})
        counts["cases"] += 1
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    document = {
        "format": "remote-store-scenario-matrix",
        "version": MATRIX_FORMAT_VERSION,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "summary": summary,
        "scenarios": by_scenario,
        "cases": [{key: row.get(key) for key in _FIELDS} for row in ordered],
    }
    path = matrix_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
