"""Listings, metadata and the error mapping of the SFTP backend on a real tree."""

from __future__ import annotations

import errno
import inspect
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paramiko
import pytest

from remote_store import (
    BackendUnavailable,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from remote_store.backends import SFTPBackend
from remote_store.backends.sftp._errors import map_error

pytestmark = pytest.mark.sftp


@pytest.fixture
def tree(backend: SFTPBackend) -> SFTPBackend:
    for key in ("top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt", "a/b/c/d/four.txt"):
        backend.write(key, key.encode())
    return backend


@pytest.fixture
def listed_dirs(tree: SFTPBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every folder the backend asks the server to list, in order."""
    seen: list[str] = []
    original = paramiko.SFTPClient.listdir_attr

    def spy(self: paramiko.SFTPClient, path: str = ".") -> list[paramiko.SFTPAttributes]:
        seen.append(path)
        return original(self, path)

    monkeypatch.setattr(paramiko.SFTPClient, "listdir_attr", spy)
    yield seen


def _names(backend: SFTPBackend, **kwargs: object) -> list[str]:
    return sorted(str(f.path) for f in backend.list_files("", **kwargs))  # type: ignore[arg-type]


def test_max_depth_prunes_natively_without_listing_deeper_folders(
    tree: SFTPBackend, listed_dirs: list[str]
) -> None:
    assert _names(tree, recursive=True, max_depth=1) == ["a/one.txt", "top.txt"]
    base = tree.native_path("")
    assert sorted(listed_dirs) == [base, f"{base}/a"]


def test_unbounded_recursion_lists_every_depth(tree: SFTPBackend) -> None:
    assert _names(tree, recursive=True) == [
        "a/b/c/d/four.txt",
        "a/b/c/three.txt",
        "a/b/two.txt",
        "a/one.txt",
        "top.txt",
    ]


def test_non_recursive_listing_ignores_max_depth(tree: SFTPBackend) -> None:
    assert _names(tree, recursive=False, max_depth=3) == ["top.txt"]


def test_listing_a_file_or_a_missing_path_yields_nothing(tree: SFTPBackend) -> None:
    assert list(tree.list_files("top.txt")) == []
    assert list(tree.list_files("missing", recursive=True)) == []
    assert list(tree.list_folders("top.txt/under")) == []


def test_iter_children_uses_one_listing(tree: SFTPBackend, listed_dirs: list[str]) -> None:
    children = {str(c.path): type(c).__name__ for c in tree.iter_children("a")}
    assert children == {"a/one.txt": "FileInfo", "a/b": "FolderEntry"}
    assert len(listed_dirs) == 1


def test_folder_info_aggregates_the_whole_subtree(tree: SFTPBackend) -> None:
    info = tree.get_folder_info("a")
    assert (info.file_count, info.total_size) == (
        4,
        sum(len(k) for k in ("a/one.txt", "a/b/two.txt", "a/b/c/three.txt", "a/b/c/d/four.txt")),
    )
    assert info.modified_at is not None


def test_empty_folders_persist_and_are_listed(backend: SFTPBackend) -> None:
    os.makedirs(Path(backend.native_path("empty/inner")))
    assert [e.name for e in backend.list_folders("empty")] == ["inner"]
    assert backend.is_folder("empty/inner")
    backend.delete_folder("empty/inner")
    assert not backend.exists("empty/inner")


def test_symlinks_are_followed_for_type_and_dangling_ones_skipped(backend: SFTPBackend) -> None:
    backend.write("real/file.txt", b"12345")
    root = Path(backend.native_path(""))
    os.symlink(root / "real", root / "dirlink")
    os.symlink(root / "real" / "file.txt", root / "filelink")
    os.symlink(root / "nowhere", root / "dangling")
    children = {str(c.path): type(c).__name__ for c in backend.iter_children("")}
    assert children == {"real": "FolderEntry", "dirlink": "FolderEntry", "filelink": "FileInfo"}
    assert backend.get_file_info("filelink").size == 5


def test_delete_folder_refuses_non_empty_without_recursive(tree: SFTPBackend) -> None:
    with pytest.raises(DirectoryNotEmpty):
        tree.delete_folder("a")
    tree.delete_folder("a", recursive=True)
    assert not tree.exists("a")


def test_delete_folder_recursive_removes_links_without_following_them(backend: SFTPBackend) -> None:
    backend.write("keep/precious.txt", b"!")
    backend.write("doomed/x.txt", b"x")
    root = Path(backend.native_path(""))
    os.symlink(root / "keep", root / "doomed" / "link")
    backend.delete_folder("doomed", recursive=True)
    assert backend.read_bytes("keep/precious.txt") == b"!"


def test_read_of_a_folder_is_invalid_path_and_of_a_missing_file_not_found(
    tree: SFTPBackend,
) -> None:
    with pytest.raises(InvalidPath):
        tree.read("a")
    with pytest.raises(NotFound):
        tree.read_bytes("a/nope.txt")
    with pytest.raises(NotFound):
        tree.read_bytes("top.txt/under")  # below a file is simply missing for reads


def test_delete_of_a_folder_is_invalid_path_even_with_missing_ok(tree: SFTPBackend) -> None:
    with pytest.raises(InvalidPath):
        tree.delete("a", missing_ok=True)


def test_health_check_reports_a_missing_base_path(sshd: object) -> None:
    from typing import Any

    server: Any = sshd
    backend = SFTPBackend(**server.backend_kwargs(base_path=str(server.data_dir / "absent")))
    try:
        with pytest.raises(NotFound):
            backend.check_health()
        assert backend.exists("") and backend.get_folder_info("").file_count == 0
        backend.write("x/y.txt", b"1")  # writes create the base path too
        backend.check_health()
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file"), NotFound),
        (PermissionError(errno.EACCES, "Permission denied"), PermissionDenied),
        (OSError(errno.EPERM, "Operation not permitted"), PermissionDenied),
        (EOFError(), BackendUnavailable),
        (TimeoutError("timed out"), BackendUnavailable),
        (ConnectionResetError(errno.ECONNRESET, "reset"), BackendUnavailable),
        (paramiko.SSHException("Server connection dropped"), BackendUnavailable),
        (paramiko.ChannelException(2, "Connect failed"), BackendUnavailable),
        (OSError("Failure"), RemoteStoreError),
    ],
)
def test_errors_are_mapped_by_errno_and_type(raw: BaseException, expected: type) -> None:
    mapped = map_error(raw, path="k", action="read", io_timeout=2.0)
    assert type(mapped) is expected
    assert (mapped.path, mapped.backend) == ("k", "sftp")


def test_a_timeout_without_io_timeout_says_none_was_set() -> None:
    mapped = map_error(TimeoutError("timed out"), path="k", action="read", io_timeout=None)
    assert "SFTP channel stalled: the socket timed out with no io_timeout set" in str(mapped)


def test_read_stream_serves_exact_bytes_across_read_ahead_windows(backend: SFTPBackend) -> None:
    from remote_store.backends.sftp._streams import READ_AHEAD

    payload = os.urandom(READ_AHEAD * 2 + 12345)
    backend.write("big.bin", payload)
    with backend.read("big.bin") as stream:
        assert stream.read(10) == payload[:10]
        assert stream.read(READ_AHEAD) == payload[10 : READ_AHEAD + 10]
        assert stream.seek(-100, os.SEEK_END) == len(payload) - 100
        assert stream.read() == payload[-100:]
        assert stream.read(5) == b""
        stream.seek(READ_AHEAD - 3)
        assert stream.tell() == READ_AHEAD - 3
        buffer = bytearray(7)
        assert (
            stream.readinto(buffer) == 7  # type: ignore[attr-defined]
            and bytes(buffer) == payload[READ_AHEAD - 3 : READ_AHEAD + 4]
        )
        stream.seek(0)
        assert stream.read() == payload


def test_read_stream_of_an_empty_file_is_empty(backend: SFTPBackend) -> None:
    backend.write("empty", b"")
    with backend.read("empty") as stream:
        assert stream.read() == b""
    assert backend.read_bytes("empty") == b""


DEEP = 1_100  # past Python's default recursion limit of 1,000; 1-char names keep the path
# (2 x 1,100 characters plus the base) well below PATH_MAX (4,096)


def _chain(backend: SFTPBackend, depth: int) -> tuple[list[str], str]:
    """``d/d/.../d/leaf.txt``, ``depth`` folders deep, built straight on the server's disk."""
    root = backend.native_path("")
    chain = [os.path.join(root, *["d"] * level) for level in range(1, depth + 1)]
    for folder in chain:  # os.makedirs recurses too
        os.mkdir(folder)
    with open(os.path.join(chain[-1], "leaf.txt"), "wb") as leaf:
        leaf.write(b"bottom")
    return chain, "/".join(["d"] * depth) + "/leaf.txt"


def _unchain(chain: list[str]) -> None:
    """Iterative cleanup: ``shutil.rmtree`` itself recurses on Python 3.11."""
    leaf = os.path.join(chain[-1], "leaf.txt")
    if os.path.exists(leaf):
        os.remove(leaf)
    for folder in reversed(chain):
        if os.path.isdir(folder):
            os.rmdir(folder)


@contextmanager
def _stack_limited_to(frames: int) -> Iterator[None]:
    """Only ``frames`` more Python frames allowed than the caller has: a walk that recursed
    per level of the tree would hit ``RecursionError`` on a shallow tree already."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def test_recursive_delete_of_a_tree_deeper_than_the_recursion_limit_succeeds(
    backend: SFTPBackend,
) -> None:
    """A real tree of DEEP levels (about 5,500 round trips, the reason this test takes seconds)."""
    chain, _ = _chain(backend, DEEP)
    try:
        backend.delete_folder("d", recursive=True)
        assert not os.path.exists(chain[0])
    finally:
        _unchain(chain)


def test_listing_walks_keep_a_flat_stack_however_deep_the_tree(backend: SFTPBackend) -> None:
    chain, leaf = _chain(backend, 150)
    try:
        backend.exists("d")  # connect first: the handshake is not what is measured
        with _stack_limited_to(120):
            listed = [str(f.path) for f in backend.list_files("", recursive=True)]
            counted = backend.get_folder_info("").file_count
        assert (listed, counted) == ([leaf], 1)
    finally:
        _unchain(chain)
