"""Local backend data safety: leftovers of killed atomic writes are not user data; deep trees."""

from __future__ import annotations

import os
from pathlib import Path

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
