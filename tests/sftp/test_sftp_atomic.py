"""Atomic writes on SFTP: never a partial file at the target, overwrite=False without a race.

The remote tree is also this machine's file system, so tests look at it directly
(``native_path``) to see what a concurrent reader would see.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
import pytest

from remote_store import AlreadyExists, InvalidPath, RemoteStoreError
from remote_store.backends import SFTPBackend

pytestmark = pytest.mark.sftp

TEMP_NAME = re.compile(r"^\.~tmp\.(?P<name>.+)\.[0-9a-f]{8}$")


class _Boom(Exception):
    pass


class _FailingStream(io.RawIOBase):
    """Yields ``good`` bytes, then raises: an upload that dies half way."""

    def __init__(self, good: bytes) -> None:
        self._good = good
        self._sent = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._sent:
            self._sent = True
            return self._good
        raise _Boom("source failed mid-way")


def _local(backend: SFTPBackend, key: str = "") -> Path:
    return Path(backend.native_path(key))


def test_stream_failing_mid_write_atomic_leaves_no_target_and_no_temp(backend: SFTPBackend) -> None:
    with pytest.raises(RemoteStoreError, match="content stream") as caught:
        backend.write_atomic("d/out.bin", _FailingStream(b"partial" * 1000))  # type: ignore[arg-type]
    assert isinstance(caught.value.__cause__, _Boom)  # R-WRITE-STREAM
    assert not backend.exists("d/out.bin")
    assert [p.name for p in _local(backend, "d").iterdir()] == []


def test_stream_failing_mid_write_atomic_keeps_the_old_content(backend: SFTPBackend) -> None:
    backend.write("out.bin", b"old")
    with pytest.raises(RemoteStoreError, match="content stream") as caught:
        backend.write_atomic("out.bin", _FailingStream(b"new" * 1000), overwrite=True)  # type: ignore[arg-type]
    assert isinstance(caught.value.__cause__, _Boom)  # R-WRITE-STREAM
    assert backend.read_bytes("out.bin") == b"old"
    assert sorted(p.name for p in _local(backend).iterdir()) == ["out.bin"]


def test_open_atomic_content_is_invisible_at_the_target_until_commit(backend: SFTPBackend) -> None:
    backend.write("doc.txt", b"v1")
    target = _local(backend, "doc.txt")
    with backend.open_atomic("doc.txt", overwrite=True) as out:
        out.write(b"v2" * 50_000)
        out.flush()
        assert target.read_bytes() == b"v1"
        temps = [p.name for p in _local(backend).iterdir() if TEMP_NAME.match(p.name)]
        assert len(temps) == 1 and TEMP_NAME.match(temps[0])["name"] == "doc.txt"  # type: ignore[index]
    assert target.read_bytes() == b"v2" * 50_000
    assert out.result is not None and out.result.size == 100_000
    assert sorted(p.name for p in _local(backend).iterdir()) == ["doc.txt"]


def test_exception_inside_open_atomic_discards_everything(backend: SFTPBackend) -> None:
    backend.write("doc.txt", b"v1")
    with pytest.raises(_Boom), backend.open_atomic("doc.txt", overwrite=True) as out:
        out.write(b"half")
        raise _Boom
    assert backend.read_bytes("doc.txt") == b"v1"
    assert sorted(p.name for p in _local(backend).iterdir()) == ["doc.txt"]


def test_open_atomic_refuses_an_existing_target_on_enter(backend: SFTPBackend) -> None:
    backend.write("doc.txt", b"v1")
    with pytest.raises(AlreadyExists), backend.open_atomic("doc.txt"):
        pytest.fail("the block must not run")


def test_second_open_atomic_commit_loses_without_clobbering(backend: SFTPBackend) -> None:
    """Both writers pass the early check (target absent); the commit decides, atomically."""
    first = backend.open_atomic("race.txt")
    second = backend.open_atomic("race.txt")
    out1 = first.__enter__()
    out2 = second.__enter__()
    out1.write(b"first")
    out2.write(b"second")
    first.__exit__(None, None, None)
    with pytest.raises(AlreadyExists):
        second.__exit__(None, None, None)
    assert backend.read_bytes("race.txt") == b"first"
    assert sorted(p.name for p in _local(backend).iterdir()) == ["race.txt"]


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_overwrite_false_has_exactly_one_winner_among_racing_clients(
    sshd: Any, method: str
) -> None:
    folder = sshd.new_folder()
    contenders = 6
    backends = [
        SFTPBackend(**sshd.backend_kwargs(base_path=str(folder), retry=None))
        for _ in range(contenders)
    ]
    for b in backends:
        b.exists("warm-up")  # connect first so the race is about the write itself
    barrier = threading.Barrier(contenders)
    outcomes: dict[int, str] = {}

    def contend(i: int) -> None:
        barrier.wait()
        try:
            getattr(backends[i], method)("prize.txt", f"writer-{i}".encode() * 5000)
            outcomes[i] = "won"
        except AlreadyExists:
            outcomes[i] = "lost"
        except RemoteStoreError as exc:
            outcomes[i] = repr(exc)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for b in backends:
        b.close()
    winners = [i for i, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1, outcomes
    assert sorted(outcomes.values()).count("lost") == contenders - 1
    assert (folder / "prize.txt").read_bytes() == f"writer-{winners[0]}".encode() * 5000
    assert [p.name for p in folder.iterdir()] == ["prize.txt"]


def test_failed_plain_write_with_overwrite_false_removes_its_partial_file(
    backend: SFTPBackend,
) -> None:
    with pytest.raises(RemoteStoreError, match="content stream") as caught:
        backend.write("p.bin", _FailingStream(b"x" * 4096))  # type: ignore[arg-type]
    assert isinstance(caught.value.__cause__, _Boom)  # R-WRITE-STREAM
    assert not backend.exists("p.bin")


def test_write_atomic_over_a_folder_is_invalid_path_and_writes_nothing(
    backend: SFTPBackend,
) -> None:
    backend.write("dir/inner.txt", b"1")
    with pytest.raises(InvalidPath):
        backend.write_atomic("dir", b"x", overwrite=True)
    assert sorted(p.name for p in _local(backend, "dir").iterdir()) == ["inner.txt"]


def test_replace_falls_back_to_displacement_when_posix_rename_is_refused(
    backend: SFTPBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Servers without posix-rename@openssh.com answer SSH_FX_OP_UNSUPPORTED (a bare failure)."""

    def refuse(self: paramiko.SFTPClient, old: str, new: str) -> None:
        raise OSError("Operation unsupported")

    backend.write("doc.txt", b"v1")
    monkeypatch.setattr(paramiko.SFTPClient, "posix_rename", refuse)
    result = backend.write_atomic("doc.txt", b"v2", overwrite=True)
    assert result.size == 2
    assert backend.read_bytes("doc.txt") == b"v2"
    assert sorted(p.name for p in _local(backend).iterdir()) == ["doc.txt"]  # no .~bak left


def test_move_overwrite_false_never_clobbers(backend: SFTPBackend) -> None:
    backend.write("a.txt", b"a")
    backend.write("b.txt", b"b")
    with pytest.raises(AlreadyExists):
        backend.move("a.txt", "b.txt")
    assert backend.read_bytes("b.txt") == b"b" and backend.read_bytes("a.txt") == b"a"


def test_copy_destination_is_complete_or_absent(
    backend: SFTPBackend, make_backend: Callable[..., SFTPBackend]
) -> None:
    payload = bytes(range(256)) * 4096
    backend.write("src.bin", payload)
    backend.copy("src.bin", "deep/er/dst.bin")
    assert backend.read_bytes("deep/er/dst.bin") == payload
    assert [p.name for p in _local(backend, "deep/er").iterdir()] == ["dst.bin"]
