"""Root test configuration.

The machine this runs on pre-sets CA-bundle, proxy and AWS variables. No test may depend on them,
so every test starts with them removed (the harness plugin's list, ``SCRUBBED_VARIABLES``; its
``scrubbed_env`` fixture also sets dummy credentials).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from _scenario_matrix import WORKER_ROWS, write_matrix
from remote_store_harness.pytest_plugin import scrub_environment

_WORKER_ROWS_KEY = pytest.StashKey[list[Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    # Read by tests/scenarios/conftest.py (format: docs/scenarios.md).
    parser.addoption(
        "--scenario-matrix",
        default=None,
        metavar="PATH",
        help="write the scenario matrix (JSON) of tests/scenarios to PATH "
        "(else $SCENARIO_MATRIX_PATH, else <basetemp>/scenario-matrix.json)",
    )


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    scrub_environment(monkeypatch)


def pytest_sessionstart(session: pytest.Session) -> None:
    """pytest-xdist worker: drop its ``PYTEST_XDIST_*`` variables from the process environment
    (after every plugin has configured itself). Otherwise they reach the pytest runs that tests
    and module fixtures start (``run`` children), and pytest-benchmark disables itself there."""
    if hasattr(session.config, "workerinput"):
        for name in [n for n in os.environ if n.startswith("PYTEST_XDIST_")]:
            del os.environ[name]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist controller: keep a finished worker's scenario-matrix rows."""
    rows = getattr(node, "workeroutput", {}).get(WORKER_ROWS)
    if rows:
        node.config.stash.setdefault(_WORKER_ROWS_KEY, []).extend(json.loads(rows))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """pytest-xdist controller: write the one scenario matrix from every worker's rows
    (a plain run writes it from ``tests/scenarios/conftest.py``)."""
    placed = session.config.stash.get(_WORKER_ROWS_KEY, [])
    if placed:
        write_matrix(session.config, placed)
