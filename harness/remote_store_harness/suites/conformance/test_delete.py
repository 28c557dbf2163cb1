"""R-DELETE: delete is for files, delete_folder for folders; missing_ok only forgives absence."""

from __future__ import annotations

import pytest

from remote_store import DirectoryNotEmpty, InvalidPath, NotFound, Store


def test_delete_removes_a_file(store: Store) -> None:
    store.write("f.txt", b"x")
    store.delete("f.txt")
    assert store.exists("f.txt") is False


def test_delete_of_a_missing_file_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.delete("missing.txt")


def test_delete_of_a_missing_file_with_missing_ok_returns(store: Store) -> None:
    store.delete("missing.txt", missing_ok=True)


@pytest.mark.parametrize("missing_ok", [False, True])
def test_delete_of_a_folder_raises_invalid_path(store: Store, missing_ok: bool) -> None:
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.delete("d", missing_ok=missing_ok)


def test_delete_keeps_sibling_files(store: Store) -> None:
    store.write("d/a.txt", b"a")
    store.write("d/b.txt", b"b")
    store.delete("d/a.txt")
    assert store.read_bytes("d/b.txt") == b"b"


def test_delete_folder_recursive_removes_everything_below(store: Store) -> None:
    store.write("d/a.txt", b"a")
    store.write("d/sub/b.txt", b"b")
    store.delete_folder("d", recursive=True)
    assert (store.exists("d"), list(store.list_files("", recursive=True))) == (False, [])


def test_delete_folder_non_recursive_on_non_empty_raises_directory_not_empty(store: Store) -> None:
    store.write("d/a.txt", b"a")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("d")


def test_delete_folder_refusal_keeps_the_content(store: Store) -> None:
    store.write("d/a.txt", b"a")
    with pytest.raises(DirectoryNotEmpty):
        store.delete_folder("d")
    assert store.read_bytes("d/a.txt") == b"a"


@pytest.mark.requires_hierarchy
def test_delete_folder_removes_an_empty_folder(store: Store) -> None:
    store.write("d/a.txt", b"a")
    store.delete("d/a.txt")
    store.delete_folder("d")
    assert store.exists("d") is False


@pytest.mark.requires_hierarchy
def test_deleting_the_last_file_keeps_the_folder(store: Store) -> None:
    store.write("d/a.txt", b"a")
    store.delete("d/a.txt")
    assert store.is_folder("d") is True


def test_delete_folder_of_a_missing_folder_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.delete_folder("nope")


def test_delete_folder_of_a_missing_folder_with_missing_ok_returns(store: Store) -> None:
    store.delete_folder("nope", missing_ok=True)


@pytest.mark.parametrize("missing_ok", [False, True])
def test_delete_folder_of_a_file_raises_invalid_path(store: Store, missing_ok: bool) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.delete_folder("f.txt", recursive=True, missing_ok=missing_ok)
