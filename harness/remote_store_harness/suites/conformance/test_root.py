"""R-ROOT-1..5: the store root is an always-existing folder that is never a file or a target."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from remote_store import InvalidPath, RemotePath, Store

ROOTS = ["", "."]
WRITE_ROOTS = ["", ".", "/", "./", ".//", "./."]


@pytest.mark.parametrize("root", ROOTS)
def test_root_exists_even_when_empty(store: Store, root: str) -> None:
    assert store.exists(root) is True


@pytest.mark.parametrize("root", ROOTS)
def test_root_is_a_folder(store: Store, root: str) -> None:
    assert store.is_folder(root) is True


@pytest.mark.parametrize("root", ROOTS)
def test_root_is_not_a_file(store: Store, root: str) -> None:
    assert store.is_file(root) is False


@pytest.mark.parametrize("root", ROOTS)
def test_root_folder_info_of_an_empty_store_is_zero(store: Store, root: str) -> None:
    info = store.get_folder_info(root)
    assert (info.path, info.file_count, info.total_size, info.modified_at) == (
        RemotePath.ROOT,
        0,
        0,
        None,
    )


@pytest.mark.parametrize("root", ROOTS)
def test_listing_from_the_root_enumerates_the_store(store: Store, root: str) -> None:
    store.write("top.txt", b"1")
    assert [f.name for f in store.list_files(root)] == ["top.txt"]


def test_both_root_spellings_have_the_same_native_path(store: Store) -> None:
    assert store.native_path("") == store.native_path(".")


@pytest.mark.parametrize(
    "call",
    [
        lambda s, p: s.read(p),
        lambda s, p: s.read_bytes(p),
        lambda s, p: s.read_seekable(p),
        lambda s, p: s.get_file_info(p),
        lambda s, p: s.delete(p),
        lambda s, p: s.delete(p, missing_ok=True),
        lambda s, p: s.head(p),
    ],
    ids=[
        "read",
        "read_bytes",
        "read_seekable",
        "get_file_info",
        "delete",
        "delete_missing_ok",
        "head",
    ],
)
@pytest.mark.parametrize("root", ROOTS)
def test_file_operations_on_the_root_raise_invalid_path(
    store: Store, call: Callable[[Store, str], object], root: str
) -> None:
    with pytest.raises(InvalidPath):
        call(store, root)


@pytest.mark.parametrize("root", WRITE_ROOTS)
@pytest.mark.parametrize("overwrite", [False, True])
def test_write_to_any_root_spelling_raises_invalid_path(
    store: Store, root: str, overwrite: bool
) -> None:
    with pytest.raises(InvalidPath):
        store.write(root, b"x", overwrite=overwrite)


@pytest.mark.parametrize("root", WRITE_ROOTS)
def test_atomic_write_to_the_root_raises_invalid_path(store: Store, root: str) -> None:
    with pytest.raises(InvalidPath):
        store.write_atomic(root, b"x", overwrite=True)


@pytest.mark.parametrize("root", WRITE_ROOTS)
def test_open_atomic_on_the_root_raises_invalid_path(store: Store, root: str) -> None:
    with pytest.raises(InvalidPath), store.open_atomic(root, overwrite=True) as stream:
        stream.write(b"x")


def test_move_to_the_root_is_refused_before_the_missing_source(store: Store) -> None:
    with pytest.raises(InvalidPath) as caught:
        store.move("missing", "")
    assert caught.value.path == ""


def test_copy_to_the_root_is_refused(store: Store) -> None:
    store.write("a.txt", b"1")
    with pytest.raises(InvalidPath):
        store.copy("a.txt", ".")


def test_move_from_the_root_is_refused(store: Store) -> None:
    with pytest.raises(InvalidPath):
        store.move("", "b.txt")


@pytest.mark.parametrize("root", ROOTS)
def test_delete_folder_of_the_root_is_refused(store: Store, root: str) -> None:
    with pytest.raises(InvalidPath):
        store.delete_folder(root, recursive=True)


def test_ping_succeeds_on_a_fresh_store(store: Store) -> None:
    store.ping()
