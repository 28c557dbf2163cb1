"""Memory backend data safety: trees deeper than the recursion limit (issue 14, item 8)."""

from __future__ import annotations

import pytest

from remote_store import Store
from remote_store.backends import MemoryBackend

DEEP = 1500
"""Deeper than the interpreter's recursion limit (1,000)."""

KEY = "/".join(["d"] * DEEP + ["leaf.txt"])


@pytest.fixture
def store() -> Store:
    store = Store(MemoryBackend())
    store.write(KEY, b"!")
    return store


def test_a_recursive_delete_removes_a_tree_deeper_than_the_recursion_limit(store: Store) -> None:
    store.delete_folder("d", recursive=True)
    assert not store.exists("d")


def test_listing_and_info_walk_a_tree_deeper_than_the_recursion_limit(store: Store) -> None:
    assert [str(f.path) for f in store.list_files("", recursive=True)] == [KEY]
    assert store.get_folder_info("d").file_count == 1
