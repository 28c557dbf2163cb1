"""Root test configuration.

The machine this runs on pre-sets CA-bundle, proxy and AWS variables. No test may depend on them,
so every test starts with them removed (the harness plugin offers the same as ``scrubbed_env``).
"""

from __future__ import annotations

import pytest

_SCRUBBED = (
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)


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
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
