"""Fixtures for the targets/topology half of the harness: real servers on loopback only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from remote_store_harness.targets import MotoProcessTarget


@pytest.fixture(autouse=True)
def _clean_env(scrubbed_env: None) -> None:
    """Every test here runs with CA/proxy/endpoint variables removed and dummy credentials."""


@pytest.fixture(scope="module")
def moto_process() -> Iterator[MotoProcessTarget]:
    """A moto subprocess of this module's own (isolated from the session target)."""
    with MotoProcessTarget() as target:
        yield target
