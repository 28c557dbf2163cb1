"""R-MOVE and §6.4.8: file-only move/copy with the contract's check order."""

from __future__ import annotations

import pytest

from remote_store import AlreadyExists, Capability, InvalidPath, NotFound, Store

OPS = ["move", "copy"]


@pytest.mark.parametrize("op", OPS)
def test_destination_receives_the_content(store: Store, op: str) -> None:
    store.write("src.txt", b"payload")
    getattr(store, op)("src.txt", "dir/dst.txt")
    assert store.read_bytes("dir/dst.txt") == b"payload"


def test_move_removes_the_source(store: Store) -> None:
    store.write("src.txt", b"x")
    store.move("src.txt", "dst.txt")
    assert store.exists("src.txt") is False


def test_copy_keeps_the_source(store: Store) -> None:
    store.write("src.txt", b"x")
    store.copy("src.txt", "dst.txt")
    assert store.read_bytes("src.txt") == b"x"


@pytest.mark.parametrize("op", OPS)
def test_missing_source_raises_not_found(store: Store, op: str) -> None:
    with pytest.raises(NotFound) as caught:
        getattr(store, op)("missing.txt", "dst.txt")
    assert caught.value.path == "missing.txt"


@pytest.mark.parametrize("op", OPS)
def test_folder_source_raises_invalid_path(store: Store, op: str) -> None:
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, op)("d", "e")


@pytest.mark.parametrize("op", OPS)
def test_existing_destination_without_overwrite_raises_already_exists(
    store: Store, op: str
) -> None:
    store.write("src.txt", b"new")
    store.write("dst.txt", b"old")
    with pytest.raises(AlreadyExists):
        getattr(store, op)("src.txt", "dst.txt")
    assert store.read_bytes("dst.txt") == b"old"


@pytest.mark.parametrize("op", OPS)
def test_existing_destination_with_overwrite_is_replaced(store: Store, op: str) -> None:
    store.write("src.txt", b"new")
    store.write("dst.txt", b"old")
    getattr(store, op)("src.txt", "dst.txt", overwrite=True)
    assert store.read_bytes("dst.txt") == b"new"


@pytest.mark.requires_hierarchy
@pytest.mark.parametrize("op", OPS)
def test_folder_destination_raises_invalid_path(store: Store, op: str) -> None:
    store.write("src.txt", b"x")
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, op)("src.txt", "d", overwrite=True)


@pytest.mark.requires_hierarchy
@pytest.mark.parametrize("op", OPS)
def test_destination_under_a_file_raises_invalid_path(store: Store, op: str) -> None:
    store.write("src.txt", b"x")
    store.write("f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, op)("src.txt", "f.txt/inner")


@pytest.mark.parametrize("op", OPS)
def test_missing_source_beats_a_blocked_destination(store: Store, op: str) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(NotFound):
        getattr(store, op)("missing.txt", "f.txt")


@pytest.mark.parametrize("op", OPS)
def test_same_path_on_a_file_is_a_no_op(store: Store, op: str) -> None:
    store.write("f.txt", b"x")
    getattr(store, op)("f.txt", "./f.txt")
    assert store.read_bytes("f.txt") == b"x"


@pytest.mark.parametrize("op", OPS)
def test_same_path_on_a_folder_raises_invalid_path(store: Store, op: str) -> None:
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, op)("d", "d/")


@pytest.mark.parametrize("op", OPS)
def test_same_path_on_a_missing_file_raises_not_found(store: Store, op: str) -> None:
    with pytest.raises(NotFound):
        getattr(store, op)("nope", "nope")


def test_copy_has_a_fresh_modification_time(store: Store) -> None:
    store.write("src.txt", b"x")
    before = store.get_file_info("src.txt").modified_at
    store.copy("src.txt", "dst.txt")
    assert store.get_file_info("dst.txt").modified_at >= before


@pytest.mark.requires_capability(Capability.USER_METADATA)
@pytest.mark.parametrize("op", OPS)
def test_user_metadata_is_preserved_on_the_destination(store: Store, op: str) -> None:
    store.write("src.txt", b"x", metadata={"owner": "ops"})
    getattr(store, op)("src.txt", "dst.txt")
    assert store.get_file_info("dst.txt").metadata == {"owner": "ops"}
