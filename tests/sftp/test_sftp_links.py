"""Real sshd: deleting never goes through a server-side link; staging leftovers are not data."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from remote_store.backends import SFTPBackend


def test_recursive_delete_of_a_linked_folder_removes_the_link_not_the_target(
    sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    outside = sshd.new_folder()
    (outside / "precious.txt").write_bytes(b"keep me")
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.txt").write_bytes(b"keep me too")
    base = sshd.new_folder()
    os.symlink(outside, base / "cache")
    backend = make_backend(base_path=str(base))

    backend.delete_folder("cache", recursive=True)

    assert not os.path.lexists(base / "cache")
    assert (outside / "precious.txt").read_bytes() == b"keep me"
    assert (outside / "sub" / "deep.txt").read_bytes() == b"keep me too"


def test_recursive_delete_removes_links_inside_the_tree_without_following_them(
    sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    outside = sshd.new_folder()
    (outside / "precious.txt").write_bytes(b"keep me")
    base = sshd.new_folder()
    (base / "tree").mkdir()
    (base / "tree" / "own.txt").write_bytes(b"ours")
    os.symlink(outside, base / "tree" / "link")
    backend = make_backend(base_path=str(base))

    backend.delete_folder("tree", recursive=True)

    assert not os.path.lexists(base / "tree")
    assert (outside / "precious.txt").read_bytes() == b"keep me"


def test_leftover_temp_files_are_not_listed_or_counted(
    sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> None:
    from remote_store._backend_rules import temp_name

    base = sshd.new_folder()
    (base / "kept.txt").write_bytes(b"user data")
    (base / temp_name("kept.txt")).write_bytes(b"x" * 5000)  # a killed write's staging file
    (base / temp_name("kept.txt", "bak")).write_bytes(b"y" * 7000)  # a killed overwrite's backup
    backend = make_backend(base_path=str(base))

    assert [f.name for f in backend.list_files("")] == ["kept.txt"]
    assert [f.name for f in backend.list_files("", recursive=True)] == ["kept.txt"]
    info = backend.get_folder_info("")
    assert (info.file_count, info.total_size) == (1, len(b"user data"))
