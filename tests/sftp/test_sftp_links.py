"""Real sshd: nothing goes through a server-side link out of base_path; staging leftovers are not
data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from remote_store import InvalidPath
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


# -- containment: nothing goes through a link that leads out of base_path ----------------------

SECRET = b"outside secret"


@pytest.fixture
def escape(
    sshd: Any, make_backend: Callable[..., SFTPBackend]
) -> tuple[SFTPBackend, Path, dict[str, bytes]]:
    """base/cache -> an outside folder, base/secret -> an outside file; base/own.txt is ours.

    Returns the backend, the outside folder and a snapshot of everything in it.
    """
    outside = sshd.new_folder()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.txt").write_bytes(SECRET)
    base = sshd.new_folder()
    (base / "own.txt").write_bytes(b"ours")
    os.symlink(outside, base / "cache")
    os.symlink(outside / "secret.txt", base / "secret")
    return make_backend(base_path=str(base)), outside, _snapshot(outside)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


ESCAPING_CALLS: dict[str, Callable[[SFTPBackend], object]] = {
    "read_bytes via folder link": lambda b: b.read_bytes("cache/secret.txt"),
    "read via folder link": lambda b: b.read("cache/secret.txt"),
    "read_bytes of file link": lambda b: b.read_bytes("secret"),
    "read_seekable of file link": lambda b: b.read_seekable("secret"),
    "write via folder link": lambda b: b.write("cache/new.txt", b"x"),
    "write into new folder via link": lambda b: b.write("cache/new/deeper.txt", b"x"),
    "overwrite via folder link": lambda b: b.write("cache/secret.txt", b"x", overwrite=True),
    "overwrite of file link": lambda b: b.write("secret", b"x", overwrite=True),
    "write_atomic via folder link": lambda b: b.write_atomic("cache/new.txt", b"x"),
    "write_atomic of file link": lambda b: b.write_atomic("secret", b"x", overwrite=True),
    "exists via folder link": lambda b: b.exists("cache/secret.txt"),
    "is_file of file link": lambda b: b.is_file("secret"),
    "list_files of folder link": lambda b: list(b.list_files("cache")),
    "list_files below folder link": lambda b: list(b.list_files("cache/sub", recursive=True)),
    "list_folders of folder link": lambda b: list(b.list_folders("cache")),
    "iter_children of folder link": lambda b: list(b.iter_children("cache")),
    "get_file_info via folder link": lambda b: b.get_file_info("cache/secret.txt"),
    "get_file_info of file link": lambda b: b.get_file_info("secret"),
    "get_folder_info of folder link": lambda b: b.get_folder_info("cache"),
    "delete via folder link": lambda b: b.delete("cache/secret.txt"),
    "delete_folder via folder link": lambda b: b.delete_folder("cache/sub", recursive=True),
    "copy from file link": lambda b: b.copy("secret", "stolen.txt"),
    "copy from folder link": lambda b: b.copy("cache/secret.txt", "stolen.txt"),
    "copy onto file link": lambda b: b.copy("own.txt", "secret", overwrite=True),
    "copy into folder link": lambda b: b.copy("own.txt", "cache/planted.txt"),
    "move from folder link": lambda b: b.move("cache/secret.txt", "stolen.txt"),
    "move from file link": lambda b: b.move("secret", "stolen.txt"),
    "move into folder link": lambda b: b.move("own.txt", "cache/planted.txt"),
}


@pytest.mark.parametrize("call", ESCAPING_CALLS.values(), ids=ESCAPING_CALLS.keys())
def test_a_path_through_a_link_out_of_the_root_is_invalid_and_touches_nothing_outside(
    escape: tuple[SFTPBackend, Path, dict[str, bytes]], call: Callable[[SFTPBackend], object]
) -> None:
    backend, outside, before = escape
    with pytest.raises(InvalidPath, match="escapes root"):
        call(backend)
    assert _snapshot(outside) == before
    assert not (Path(backend.native_path("")) / "stolen.txt").exists()


def test_listings_do_not_show_links_out_of_the_root(
    escape: tuple[SFTPBackend, Path, dict[str, bytes]],
) -> None:
    backend, _, _ = escape
    assert [f.name for f in backend.list_files("", recursive=True)] == ["own.txt"]
    assert list(backend.list_folders("")) == []
    assert [c.name for c in backend.iter_children("")] == ["own.txt"]
    info = backend.get_folder_info("")
    assert (info.file_count, info.total_size) == (1, len(b"ours"))


def test_deleting_a_link_to_an_outside_file_removes_only_the_link(
    escape: tuple[SFTPBackend, Path, dict[str, bytes]],
) -> None:
    backend, outside, before = escape
    backend.delete("secret")
    assert not os.path.lexists(backend.native_path("secret"))
    assert _snapshot(outside) == before


def test_links_inside_the_root_are_followed_but_walks_never_descend_into_them(
    backend: SFTPBackend,
) -> None:
    backend.write("real/file.txt", b"12345")
    root = Path(backend.native_path(""))
    os.symlink(root / "real", root / "alias")
    os.symlink(root, root / "real" / "loop")  # a cycle: a walk that followed it never ends
    assert backend.read_bytes("alias/file.txt") == b"12345"
    assert [str(f.path) for f in backend.list_files("", recursive=True)] == ["real/file.txt"]
    assert backend.get_folder_info("").file_count == 1
