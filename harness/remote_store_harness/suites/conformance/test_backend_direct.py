"""The rules the ``Backend`` base enforces, checked by calling the backend itself (no ``Store``).

A backend can be used directly, so the rules ``Store`` would otherwise cover for it must hold
at the backend level too: ``max_depth`` validation (R-LIST), the root as a file target
(R-WRITE-ORDER step 0), folder-info aggregation (R-INFO) and atomic writes (§8.5).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from remote_store import Backend, InvalidPath, NotFound, Store

Key = Callable[[str], str]


@pytest.fixture
def direct(store: Store) -> tuple[Backend, Key]:
    """The store's backend and a function from a store path to that backend's key."""
    backend: Backend = store._backend
    root: str = store._root
    return backend, (lambda path: f"{root}/{path}" if root else path)


def test_negative_max_depth_is_value_error_on_the_call(direct: tuple[Backend, Key]) -> None:
    backend, key = direct
    with pytest.raises(ValueError, match="max_depth"):
        backend.list_files(key(""), recursive=True, max_depth=-1)  # no next(): eager


@pytest.mark.parametrize("root", ["", ".", "/"])
def test_the_backend_root_is_not_a_write_target(backend_root_free: Backend, root: str) -> None:
    with pytest.raises(InvalidPath):
        backend_root_free.write(root, b"x")


@pytest.mark.parametrize("root", ["", "."])
def test_the_backend_root_is_not_a_file_to_delete(backend_root_free: Backend, root: str) -> None:
    with pytest.raises(InvalidPath):
        backend_root_free.delete(root)


def test_folder_info_counts_every_descendant_file(direct: tuple[Backend, Key]) -> None:
    backend, key = direct
    backend.write(key("d/a.bin"), b"12")
    backend.write(key("d/sub/b.bin"), b"345")
    info = backend.get_folder_info(key("d"))
    assert (info.file_count, info.total_size) == (2, 5)


def test_folder_info_of_a_missing_folder_is_not_found(direct: tuple[Backend, Key]) -> None:
    backend, key = direct
    with pytest.raises(NotFound):
        backend.get_folder_info(key("missing"))


def test_write_atomic_returns_the_size_and_stores_the_bytes(direct: tuple[Backend, Key]) -> None:
    backend, key = direct
    result = backend.write_atomic(key("w.bin"), b"payload")
    assert result.size == 7
    assert backend.read_bytes(key("w.bin")) == b"payload"


def test_open_atomic_leaves_nothing_when_the_block_raises(direct: tuple[Backend, Key]) -> None:
    backend, key = direct
    with pytest.raises(RuntimeError, match="abandon"):
        _abandon_atomic_write(backend, key("gone.bin"))
    assert backend.exists(key("gone.bin")) is False


@pytest.fixture
def backend_root_free(direct: tuple[Backend, Key], store: Store) -> Backend:
    """The backend, for tests that address its own root (skipped when the store has a root)."""
    if store._root:
        pytest.skip("the store is rooted below the backend root; its root is shared")
    return direct[0]


def _abandon_atomic_write(backend: Backend, key: str) -> None:
    with backend.open_atomic(key) as writer:
        writer.write(b"partial")
        raise RuntimeError("abandon")
