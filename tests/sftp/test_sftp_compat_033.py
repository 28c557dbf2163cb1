"""SFTP behaviours that code written for remote-store 0.33 relies on (issue 16, items 4 and 5).

Both concern SFTP servers that are not OpenSSH. They are reproduced against the real sshd by
making paramiko's client answer the way such servers do (a generic SSH_FX_FAILURE for a write
under a file; renames refused with EACCES), at the client-library boundary.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import paramiko
import pytest

from remote_store import AlreadyExists, InvalidPath, Store
from remote_store.backends import SFTPBackend


@pytest.fixture
def generic_failure_open(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make ``open`` answer like an SFTP v3 server that reports only SSH_FX_FAILURE."""
    original = paramiko.SFTPClient.open

    def open_(self: paramiko.SFTPClient, filename: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, filename, *args, **kwargs)
        except FileNotFoundError as exc:
            raise OSError("Failure") from exc

    return lambda: monkeypatch.setattr(paramiko.SFTPClient, "open", open_)


@pytest.fixture
def renames_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: paramiko.SFTPClient, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(paramiko.SFTPClient, "rename", refuse)
    monkeypatch.setattr(paramiko.SFTPClient, "posix_rename", refuse)


def test_write_under_a_file_on_a_generic_failure_server_is_invalid_path(
    backend: SFTPBackend, generic_failure_open: Callable[[], None]
) -> None:
    store = Store(backend)
    store.write("f.txt", b"file")
    generic_failure_open()

    with pytest.raises(InvalidPath, match=r"f\.txt"):
        store.write("f.txt/child.txt", b"x")


def test_write_deeper_under_a_file_on_a_generic_failure_server_is_invalid_path(
    backend: SFTPBackend, generic_failure_open: Callable[[], None]
) -> None:
    store = Store(backend)
    store.write("d/f.txt", b"file")
    generic_failure_open()

    with pytest.raises(InvalidPath):
        store.write("d/f.txt/e/child.txt", b"x")


@pytest.mark.parametrize("overwrite", [False, True])
def test_move_falls_back_to_copy_and_delete_when_renames_are_refused(
    backend: SFTPBackend, renames_refused: None, overwrite: bool
) -> None:
    store = Store(backend)
    store.write("a.txt", b"payload")
    if overwrite:
        store.write("d/b.txt", b"old")

    store.move("a.txt", "d/b.txt", overwrite=overwrite)

    assert store.read_bytes("d/b.txt") == b"payload"
    assert not store.exists("a.txt")
    assert sorted(str(i.path) for i in store.list_files("", recursive=True)) == ["d/b.txt"]


@pytest.mark.parametrize("op", ["move", "copy"])
def test_existing_destination_message_contains_the_033_phrase(
    backend: SFTPBackend, op: str
) -> None:
    backend.write("src.txt", b"new")
    backend.write("dst.txt", b"old")
    with pytest.raises(AlreadyExists, match="Destination already exists"):
        getattr(backend, op)("src.txt", "dst.txt")


@pytest.mark.parametrize("op", ["move", "copy"])
def test_folder_destination_message_contains_the_033_phrase(backend: SFTPBackend, op: str) -> None:
    backend.write("src.txt", b"x")
    backend.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath, match="Destination is a directory"):
        getattr(backend, op)("src.txt", "d", overwrite=True)
