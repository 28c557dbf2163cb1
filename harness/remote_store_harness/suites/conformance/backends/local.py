"""Conformance plug-in: the local-disk backend, rooted in a per-test temp directory.

``local`` uses the backend root directly; ``local-rooted`` puts the store one folder below it so
that every rule is also checked through a non-empty ``root_path`` (rebasing, error paths).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from remote_store import Store
from remote_store.backends import LocalBackend

BACKEND_IDS = ("local", "local-rooted")
NOTE = "LocalBackend over tmp_path"
#: ``local-rooted`` is ``local`` below a store root: bulk cases run on ``local`` only.
TRAITS = {"local-rooted": frozenset({"variant"})}


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    tmp_path = request.getfixturevalue("tmp_path")
    root_path = "nested/root" if backend_id == "local-rooted" else ""
    with Store(LocalBackend(str(tmp_path / "data")), root_path) as store:
        yield store
