"""R-LIST: folders that hold only subfolders, and folders with more than one page of children.

A server that builds folders from the parents of its objects omits ``only-sub/`` below (it holds
no file directly); one that does not count common prefixes toward ``MaxKeys`` cuts or repeats
pages of a wide folder. Every listing method must still return the complete answer.

The wide-folder cases write a thousand objects each: they are ``bulk`` and run once per backend
and server, not again on ``variant`` ids (the same server over TLS, a proxy, another addressing
style or a store root), where the small cases above still run.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from remote_store import FileInfo, FolderEntry, Store

SUBFOLDER_ONLY_TREE = {
    "tree/direct.txt": b"1",
    "tree/only-sub/a/f1.txt": b"22",
    "tree/only-sub/b/f2.txt": b"333",
    "top-only/x/f3.txt": b"4444",
}

#: More children than one S3 listing page (1,000 keys and common prefixes together).
WIDE_FOLDERS = 1001


@pytest.fixture
def subfolder_only(store: Store) -> Store:
    for path, data in SUBFOLDER_ONLY_TREE.items():
        store.write(path, data)
    return store


def paths(entries: Iterable[FileInfo | FolderEntry]) -> set[str]:
    return {str(e.path) for e in entries}


def test_list_folders_includes_a_folder_holding_only_subfolders(subfolder_only: Store) -> None:
    assert paths(subfolder_only.list_folders("tree")) == {"tree/only-sub"}


def test_list_folders_of_the_root_includes_a_folder_holding_only_subfolders(
    subfolder_only: Store,
) -> None:
    assert paths(subfolder_only.list_folders("")) == {"tree", "top-only"}


def test_list_folders_with_depth_walks_through_a_folder_holding_only_subfolders(
    subfolder_only: Store,
) -> None:
    found = paths(subfolder_only.list_folders("tree", max_depth=1))
    assert found == {"tree/only-sub", "tree/only-sub/a", "tree/only-sub/b"}


def test_iter_children_includes_a_folder_holding_only_subfolders(subfolder_only: Store) -> None:
    assert paths(subfolder_only.iter_children("tree")) == {"tree/direct.txt", "tree/only-sub"}


def test_list_files_with_depth_reaches_files_below_a_folder_holding_only_subfolders(
    subfolder_only: Store,
) -> None:
    found = paths(subfolder_only.list_files("tree", max_depth=2))
    assert found == {"tree/direct.txt", "tree/only-sub/a/f1.txt", "tree/only-sub/b/f2.txt"}


def test_get_folder_info_with_depth_counts_files_below_a_folder_holding_only_subfolders(
    subfolder_only: Store,
) -> None:
    info = subfolder_only.get_folder_info("tree", max_depth=2)
    assert (info.file_count, info.total_size) == (3, 6)


def test_get_folder_info_counts_a_folder_holding_only_subfolders(subfolder_only: Store) -> None:
    info = subfolder_only.get_folder_info("tree/only-sub")
    assert (info.file_count, info.total_size) == (2, 5)


@pytest.fixture
def wide(store: Store) -> Store:
    for index in range(WIDE_FOLDERS):
        store.write(f"wide/d{index:04d}/f.txt", b"x")
    store.write("wide/a.txt", b"1")
    store.write("wide/z.txt", b"2")
    return store


@pytest.mark.slow
@pytest.mark.bulk
def test_list_folders_returns_every_folder_beyond_one_listing_page(wide: Store) -> None:
    names = [entry.name for entry in wide.list_folders("wide")]
    assert sorted(names) == [f"d{index:04d}" for index in range(WIDE_FOLDERS)]


@pytest.mark.slow
@pytest.mark.bulk
def test_iter_children_returns_every_child_beyond_one_listing_page(wide: Store) -> None:
    children = list(wide.iter_children("wide"))
    files = sorted(c.name for c in children if isinstance(c, FileInfo))
    folders = [c for c in children if isinstance(c, FolderEntry)]
    assert files == ["a.txt", "z.txt"]
    assert len(folders) == len({str(f.path) for f in folders}) == WIDE_FOLDERS


@pytest.mark.slow
@pytest.mark.bulk
def test_list_files_of_a_wide_folder_skips_its_folders_across_pages(wide: Store) -> None:
    assert paths(wide.list_files("wide")) == {"wide/a.txt", "wide/z.txt"}
