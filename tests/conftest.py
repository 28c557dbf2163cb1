"""Root test configuration.

The machine this runs on pre-sets CA-bundle, proxy and AWS variables. No test may depend on them,
so every test starts with them removed (the harness plugin's list, ``SCRUBBED_VARIABLES``; its
``scrubbed_env`` fixture also sets dummy credentials).
"""

from __future__ import annotations

import pytest
from remote_store_harness.pytest_plugin import scrub_environment


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
