"""R-CLOSE, R-ADDR, child stores and store-relative error paths (IO-16)."""

from __future__ import annotations

import pytest

from remote_store import BackendUnavailable, InvalidPath, NotFound, Store


def test_close_is_idempotent(store: Store) -> None:
    store.close()
    store.close()


def test_store_is_usable_after_close_unless_terminal(store: Store, traits: frozenset[str]) -> None:
    if "terminal_close" in traits:
        pytest.skip("terminal close: see the BackendUnavailable test")
    store.write("f.txt", b"x")
    store.close()
    assert store.read_bytes("f.txt") == b"x"


def test_operations_after_a_terminal_close_raise_backend_unavailable(
    store: Store, traits: frozenset[str]
) -> None:
    if "terminal_close" not in traits:
        pytest.skip("close is not terminal on this backend")
    store.close()
    with pytest.raises(BackendUnavailable):
        store.exists("f.txt")


def test_native_path_round_trips_through_to_key(store: Store) -> None:
    for key in ("f.txt", "a/b/c.bin"):
        assert store.to_key(store.native_path(key)) == key


def test_to_key_of_the_native_root_is_empty(store: Store) -> None:
    assert store.to_key(store.native_path("")) == ""


def test_child_store_sees_the_subtree(store: Store) -> None:
    store.write("a/b/f.txt", b"x")
    assert store.child("a").child("b").read_bytes("f.txt") == b"x"


def test_child_store_writes_land_under_the_parent(store: Store) -> None:
    store.child("a").write("f.txt", b"x")
    assert store.read_bytes("a/f.txt") == b"x"


def test_child_equals_the_combined_child(store: Store) -> None:
    assert store.child("a").child("b") == store.child("a/b")


def test_child_with_an_invalid_subpath_raises_invalid_path(store: Store) -> None:
    with pytest.raises(InvalidPath):
        store.child("..")


def test_error_paths_are_relative_to_a_child_store(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        store.child("sub").read_bytes("missing.txt")
    assert caught.value.path == "missing.txt"


def test_error_backend_path_keeps_the_full_key(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        store.child("sub").read_bytes("missing.txt")
    assert (caught.value.backend_path or "").endswith("sub/missing.txt")


def test_closing_a_child_store_leaves_the_parent_usable(store: Store) -> None:
    store.write("a/f.txt", b"x")
    store.child("a").close()
    assert store.read_bytes("a/f.txt") == b"x"


def test_errors_name_the_backend(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        store.read_bytes("missing.txt")
    assert caught.value.backend == store.name
