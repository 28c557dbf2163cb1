"""Local backend data safety: leftovers of killed atomic writes are not user data; deep trees."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from remote_store import RemoteStoreError
from remote_store._backend_rules import temp_name
from remote_store.backends import LocalBackend


def _leave_a_temp_file(root: Path) -> Path:
    """What a process killed inside ``open_atomic`` leaves: a temp file next to the target."""
    (root / "data").mkdir()
    (root / "data" / "kept.txt").write_bytes(b"user data")
    leftover = root / "data" / temp_name("kept.txt")
    leftover.write_bytes(b"x" * 5000)
    return leftover


def test_temp_leftovers_are_not_listed(tmp_path: Path) -> None:
    _leave_a_temp_file(tmp_path)
    backend = LocalBackend(str(tmp_path))
    assert [f.name for f in backend.list_files("data")] == ["kept.txt"]
    assert [f.name for f in backend.list_files("", recursive=True)] == ["kept.txt"]


def test_temp_leftovers_do_not_match_globs(tmp_path: Path) -> None:
    _leave_a_temp_file(tmp_path)
    backend = LocalBackend(str(tmp_path))
    assert [str(f.path) for f in backend.glob("data/*")] == ["data/kept.txt"]
    assert [str(f.path) for f in backend.glob("**/.~*")] == []


def test_temp_leftovers_are_not_counted_in_folder_info(tmp_path: Path) -> None:
    _leave_a_temp_file(tmp_path)
    info = LocalBackend(str(tmp_path)).get_folder_info("data")
    assert (info.file_count, info.total_size) == (1, len(b"user data"))


DEEP = 1500
"""Deeper than the interpreter's recursion limit (1,000)."""


@pytest.fixture
def deep_tmp(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path``, emptied afterwards bottom-up without recursion, pass or fail.

    pytest's own tmp cleanup (``shutil.rmtree`` on Python 3.11) recurses once per level, so a
    deep tree left behind would break the cleanup of every later session.
    """
    yield tmp_path
    folders, stack = [], [str(tmp_path)]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders[1:]):
        os.rmdir(folder)


def _deep_chain(top: Path, depth: int = DEEP) -> str:
    """``top/d/d/.../d/leaf.txt`` (``depth`` folders, made fd-relative); the deepest folder key."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        leaf = os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(leaf, b"!")
        os.close(leaf)
    finally:
        os.close(fd)
    return "/".join(["d"] * depth)


def test_a_tree_deeper_than_the_recursion_limit_is_listed(deep_tmp: Path) -> None:
    deepest = _deep_chain(deep_tmp)
    backend = LocalBackend(str(deep_tmp))
    files = list(backend.list_files("", recursive=True))
    assert [str(f.path) for f in files] == [f"{deepest}/leaf.txt"]
    assert backend.get_folder_info("").file_count == 1


def test_a_write_deeper_than_the_recursion_limit_creates_its_parents(deep_tmp: Path) -> None:
    backend = LocalBackend(str(deep_tmp))
    key = "/".join(["p"] * DEEP + ["f.txt"])
    backend.write(key, b"deep")
    assert backend.read_bytes(key) == b"deep"


def test_a_recursive_delete_removes_a_tree_deeper_than_the_recursion_limit(
    deep_tmp: Path,
) -> None:
    _deep_chain(deep_tmp)
    LocalBackend(str(deep_tmp)).delete_folder("d", recursive=True)
    assert os.listdir(deep_tmp) == []


def test_glob_and_folder_info_walk_a_tree_deeper_than_the_recursion_limit(
    deep_tmp: Path,
) -> None:
    deepest = _deep_chain(deep_tmp)
    backend = LocalBackend(str(deep_tmp))
    assert [str(f.path) for f in backend.glob("**/leaf.txt")] == [f"{deepest}/leaf.txt"]
    assert backend.get_folder_info("d").file_count == 1


def test_calls_that_fail_leave_no_file_descriptor_open(tmp_path: Path) -> None:
    backend = LocalBackend(str(tmp_path / "root"))
    backend.write("a/f.txt", b"x")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", backend.root / "out")
    before = len(os.listdir("/proc/self/fd"))
    for call in (
        lambda: backend.read_bytes("out/x"),
        lambda: backend.read_bytes("a/f.txt/x"),
        lambda: backend.write("a/f.txt/x", b"x"),
        lambda: backend.write("a/f.txt", b"x"),
        lambda: backend.delete_folder("a"),
        lambda: backend.get_file_info("missing/x"),
        lambda: list(backend.list_files("out")),
        lambda: backend.copy("a", "b"),
    ):
        with contextlib.suppress(RemoteStoreError):
            call()
    list(backend.list_files("", recursive=True))
    backend.delete_folder("a", recursive=True)
    assert len(os.listdir("/proc/self/fd")) == before


def test_stale_temp_leftovers_are_swept_and_fresh_ones_kept(tmp_path: Path) -> None:
    stale = _leave_a_temp_file(tmp_path)
    os.utime(stale, (0, 0))
    fresh = tmp_path / "data" / temp_name("other.txt")
    fresh.write_bytes(b"in flight")
    backend = LocalBackend(str(tmp_path))
    assert backend.remove_stale_temp_files(older_than=3600) == [f"data/{stale.name}"]
    assert sorted(os.listdir(tmp_path / "data")) == sorted(["kept.txt", fresh.name])


def test_a_writer_whose_temp_file_was_swept_fails_instead_of_reporting_success(
    tmp_path: Path,
) -> None:
    backend = LocalBackend(str(tmp_path))
    with pytest.raises(RemoteStoreError), backend.open_atomic("f.txt") as writer:
        writer.write(b"x")
        assert len(backend.remove_stale_temp_files(older_than=0)) == 1
    assert not backend.exists("f.txt")


def test_sweeping_refuses_a_negative_age(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="older_than"):
        LocalBackend(str(tmp_path)).remove_stale_temp_files(older_than=-1)
