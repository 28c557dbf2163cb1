"""R-LIST, §6.4.4-6.4.6: list_files, list_folders and iter_children."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from remote_store import FileInfo, FolderEntry, RemotePath, Store

TREE = {
    "top.txt": b"1",
    "top.csv": b"22",
    "t/a.txt": b"333",
    "t/1/b.txt": b"4444",
    "t/1/2/c.txt": b"55555",
    "t/1/2/3/d.txt": b"666666",
    "u/e.csv": b"7",
}


@pytest.fixture
def tree(store: Store) -> Store:
    for path, data in TREE.items():
        store.write(path, data)
    return store


def paths(entries: Iterable[FileInfo | FolderEntry]) -> set[str]:
    return {str(e.path) for e in entries}


def test_list_files_yields_immediate_files_only(tree: Store) -> None:
    assert paths(tree.list_files("")) == {"top.txt", "top.csv"}


def test_list_files_recursive_yields_every_file(tree: Store) -> None:
    assert paths(tree.list_files("", recursive=True)) == set(TREE)


def test_list_files_of_a_subfolder_yields_store_relative_paths(tree: Store) -> None:
    assert paths(tree.list_files("t/1")) == {"t/1/b.txt"}


def test_list_files_entries_carry_name_and_size(tree: Store) -> None:
    (info,) = tree.list_files("t/1/2")
    assert (info.name, info.size, info.path) == ("c.txt", 5, RemotePath("t/1/2/c.txt"))


def test_list_files_yields_file_info_objects(tree: Store) -> None:
    assert all(isinstance(i, FileInfo) for i in tree.list_files("", recursive=True))


def test_list_files_of_a_missing_path_yields_nothing(tree: Store) -> None:
    assert list(tree.list_files("nope", recursive=True)) == []


def test_list_files_of_a_file_path_yields_nothing(tree: Store) -> None:
    assert list(tree.list_files("top.txt", recursive=True)) == []


def test_list_files_under_a_file_yields_nothing(tree: Store) -> None:
    assert list(tree.list_files("top.txt/x")) == []


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (0, {"t/a.txt"}),
        (1, {"t/a.txt", "t/1/b.txt"}),
        (2, {"t/a.txt", "t/1/b.txt", "t/1/2/c.txt"}),
        (9, {"t/a.txt", "t/1/b.txt", "t/1/2/c.txt", "t/1/2/3/d.txt"}),
    ],
)
def test_list_files_max_depth_is_inclusive(tree: Store, depth: int, expected: set[str]) -> None:
    assert paths(tree.list_files("t", recursive=True, max_depth=depth)) == expected


def test_list_files_max_depth_overrides_recursive_false(tree: Store) -> None:
    assert paths(tree.list_files("t", recursive=False, max_depth=1)) == {"t/a.txt", "t/1/b.txt"}


def test_list_files_max_depth_from_the_root(tree: Store) -> None:
    assert paths(tree.list_files("", max_depth=1)) == {"top.txt", "top.csv", "t/a.txt", "u/e.csv"}


def test_list_files_negative_max_depth_raises_at_call_time(tree: Store) -> None:
    with pytest.raises(ValueError):
        tree.list_files("", max_depth=-1)


def test_list_files_pattern_matches_basenames(tree: Store) -> None:
    assert paths(tree.list_files("", recursive=True, pattern="*.csv")) == {"top.csv", "u/e.csv"}


def test_list_files_pattern_is_case_sensitive(tree: Store) -> None:
    assert list(tree.list_files("", recursive=True, pattern="*.CSV")) == []


def test_list_files_pattern_combines_with_max_depth(tree: Store) -> None:
    assert paths(tree.list_files("t", max_depth=1, pattern="b*")) == {"t/1/b.txt"}


def test_list_folders_yields_immediate_subfolders(tree: Store) -> None:
    assert paths(tree.list_folders("")) == {"t", "u"}


def test_list_folders_yields_folder_entries_with_names(tree: Store) -> None:
    entries = list(tree.list_folders("t"))
    assert [(type(e), e.name, e.path) for e in entries] == [(FolderEntry, "1", RemotePath("t/1"))]


def test_list_folders_max_depth_walks_further_levels(tree: Store) -> None:
    assert paths(tree.list_folders("t", max_depth=2)) == {"t/1", "t/1/2", "t/1/2/3"}


def test_list_folders_max_depth_zero_is_immediate(tree: Store) -> None:
    assert paths(tree.list_folders("t", max_depth=0)) == {"t/1"}


def test_list_folders_pattern_filters_without_pruning(tree: Store) -> None:
    assert paths(tree.list_folders("t", max_depth=2, pattern="3")) == {"t/1/2/3"}


def test_list_folders_of_a_missing_path_yields_nothing(tree: Store) -> None:
    assert list(tree.list_folders("nope")) == []


def test_list_folders_negative_max_depth_raises_at_call_time(tree: Store) -> None:
    with pytest.raises(ValueError):
        tree.list_folders("", max_depth=-1)


@pytest.mark.requires_hierarchy
def test_list_folders_includes_empty_folders(store: Store) -> None:
    store.write("e/x.txt", b"x")
    store.delete("e/x.txt")
    assert paths(store.list_folders("")) == {"e"}


def test_iter_children_yields_files_and_folders(tree: Store) -> None:
    children = list(tree.iter_children("t"))
    assert {(type(c).__name__, str(c.path)) for c in children} == {
        ("FileInfo", "t/a.txt"),
        ("FolderEntry", "t/1"),
    }


def test_iter_children_matches_list_files_plus_list_folders(tree: Store) -> None:
    combined = paths(tree.list_files("")) | paths(tree.list_folders(""))
    assert paths(tree.iter_children(".")) == combined


def test_iter_children_of_a_missing_path_yields_nothing(tree: Store) -> None:
    assert list(tree.iter_children("nope")) == []


def test_listing_results_are_reusable_as_input(tree: Store) -> None:
    for info in tree.list_files("", recursive=True):
        assert tree.read_bytes(str(info.path)) == TREE[str(info.path)]


def test_listing_a_child_store_is_child_relative(tree: Store) -> None:
    child = tree.child("t/1")
    assert paths(child.list_files("", recursive=True)) == {"b.txt", "2/c.txt", "2/3/d.txt"}
