"""Conformance plug-in: the in-process memory backend (the reference example)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from remote_store import Store
from remote_store.backends import MemoryBackend

BACKEND_IDS = ("memory",)
NOTE = "in-process tree; every test gets a new MemoryBackend"


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    with Store(MemoryBackend()) as store:
        yield store
