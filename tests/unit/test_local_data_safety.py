"""Local backend data safety: leftovers of killed atomic writes are not user data; deep trees."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

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


def test_a_tree_deeper_than_the_recursion_limit_is_listed(tmp_path: Path) -> None:
    depth = 1500
    deepest = str(tmp_path)
    for _ in range(depth):  # os.makedirs itself recurses once per level
        deepest = os.path.join(deepest, "d")
        os.mkdir(deepest)
    with open(os.path.join(deepest, "leaf"), "wb") as handle:
        handle.write(b"!")
    try:
        backend = LocalBackend(str(tmp_path))
        files = list(backend.list_files("", recursive=True))
        assert [str(f.path) for f in files] == ["/".join(["d"] * depth + ["leaf"])]
        assert backend.get_folder_info("").file_count == 1
    finally:
        _remove_chain(deepest, str(tmp_path))


def _remove_chain(deepest: str, top: str) -> None:
    """Bottom-up removal (``shutil.rmtree``, used by pytest's tmp cleanup, recurses per level)."""
    for name in os.listdir(deepest):
        os.unlink(os.path.join(deepest, name))
    while deepest != top:
        os.rmdir(deepest)
        deepest = os.path.dirname(deepest)


DEEP = 1500
"""Deeper than the interpreter's recursion limit (1,000)."""


def _deep_chain(top: Path, depth: int = DEEP) -> str:
    """``top/d/d/.../d`` (``depth`` levels, made with plain ``os.mkdir``); the deepest path."""
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


def test_a_write_deeper_than_the_recursion_limit_creates_its_parents(tmp_path: Path) -> None:
    backend = LocalBackend(str(tmp_path / "root"))
    key = "/".join(["p"] * DEEP + ["f.txt"])
    try:
        backend.write(key, b"deep")
        assert backend.read_bytes(key) == b"deep"
    finally:
        backend.delete_folder("p", recursive=True)


def test_a_recursive_delete_removes_a_tree_deeper_than_the_recursion_limit(
    tmp_path: Path,
) -> None:
    _deep_chain(tmp_path)
    backend = LocalBackend(str(tmp_path))
    backend.delete_folder("d", recursive=True)
    assert os.listdir(tmp_path) == []


def test_glob_and_folder_info_walk_a_tree_deeper_than_the_recursion_limit(
    tmp_path: Path,
) -> None:
    deepest = _deep_chain(tmp_path)
    backend = LocalBackend(str(tmp_path))
    try:
        assert [str(f.path) for f in backend.glob("**/leaf.txt")] == [f"{deepest}/leaf.txt"]
        assert backend.get_folder_info("d").file_count == 1
    finally:
        backend.delete_folder("d", recursive=True)


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
