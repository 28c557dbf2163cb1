"""Local containment holds while a directory inside the root is swapped for a link outside.

Issue 14, item 4. A swapper thread exchanges ``root/d`` (a real folder) with ``root/swap`` (a
symlink to a folder outside the root) with ``renameat2(RENAME_EXCHANGE)``, as fast as it can,
while worker threads run every kind of call on keys under ``d/`` through the public ``Store``
API. Whatever the interleaving, no call may return outside bytes or names, nothing outside may
be created, changed or deleted, and every failure is a ``RemoteStoreError``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from remote_store import RemoteStoreError, Store
from remote_store.backends import LocalBackend

SWAP_SECONDS = 10.0
SECRET = b"OUTSIDE-SECRET-" + b"s" * 17  # its size (32) differs from every inside file
TRAPS = {"read_sub", "delete_sub", "move"}
"""Calls whose source exists only outside: any success would be an escape."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2() -> Callable[[bytes, bytes], int]:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is Linux only")
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        pytest.skip("libc has no renameat2")

    def exchange(a: bytes, b: bytes) -> int:
        return int(function(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))

    return exchange


def _snapshot(top: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry below ``top`` (links not followed): inode, size and content digest."""
    seen: dict[str, tuple[int, int, str]] = {}
    for folder, dirs, files in os.walk(top, followlinks=False):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            seen[os.path.relpath(path, top)] = (st.st_ino, st.st_size, digest)
    return seen


def _populate_outside(outside: Path) -> None:
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "victim.txt").write_bytes(SECRET)
    (outside / "only-outside.txt").write_bytes(SECRET)
    (outside / "sub").mkdir()
    (outside / "sub" / "secret.txt").write_bytes(SECRET)


def _operations(store: Store, worker: int) -> list[tuple[str, Callable[[], object]]]:
    """Calls on keys under ``d/`` that reach the same names outside if redirected."""
    mine = f"d/w{worker}"

    def stream_read() -> bytes:
        with store.read("d/secret.txt") as handle:
            return handle.read()

    def atomic() -> None:
        with store.open_atomic(f"{mine}-atomic.txt", overwrite=True) as writer:
            writer.write(b"inside")

    return [
        ("read_bytes", lambda: store.read_bytes("d/secret.txt")),
        ("read", stream_read),
        ("read_sub", lambda: store.read_bytes("d/sub/secret.txt")),
        ("write", lambda: store.write(f"{mine}.txt", b"inside", overwrite=True)),
        ("write_new", lambda: store.write("d/sub/new.txt", b"inside")),
        ("write_atomic", lambda: store.write_atomic("d/victim.txt", b"in", overwrite=True)),
        ("open_atomic", atomic),
        ("delete", lambda: store.delete("d/victim.txt")),
        ("delete_sub", lambda: store.delete("d/sub/secret.txt")),
        ("delete_folder", lambda: store.delete_folder("d/sub", recursive=True)),
        ("list_files", lambda: list(store.list_files("d", recursive=True))),
        ("glob", lambda: list(store.glob("d/**/*.txt"))),
        ("copy", lambda: store.copy("d/secret.txt", f"{mine}-copy.txt", overwrite=True)),
        ("move", lambda: store.move("d/only-outside.txt", f"{mine}-moved.txt")),
        ("get_file_info", lambda: store.get_file_info("d/secret.txt")),
        ("folder_info", lambda: store.get_folder_info("d")),
    ]


def _leaks(result: object) -> bool:
    """Whether a call's result carries anything that can only have come from outside.

    Every outside file holds ``SECRET`` (32 bytes); no inside file has that content or size,
    and ``only-outside.txt`` exists only outside.
    """
    if isinstance(result, bytes):
        return result == SECRET
    if isinstance(result, list):
        return any(_leaks(item) for item in result)
    return getattr(result, "name", None) == "only-outside.txt" or (
        getattr(result, "size", None) == len(SECRET)
    )


def test_swapping_a_folder_for_an_outside_link_never_escapes(tmp_path: Path) -> None:
    exchange = _renameat2()
    outside = tmp_path / "outside"
    _populate_outside(outside)
    root = tmp_path / "root"
    store = Store(LocalBackend(str(root)))
    (root / "d").mkdir()
    (root / "d" / "secret.txt").write_bytes(b"inside")
    (root / "d" / "sub").mkdir()
    (root / "swap").symlink_to(outside, target_is_directory=True)
    a, b = os.fsencode(root / "d"), os.fsencode(root / "swap")
    if exchange(a, b) != 0 or exchange(a, b) != 0:
        pytest.skip(f"RENAME_EXCHANGE unsupported here: {os.strerror(ctypes.get_errno())}")
    before = _snapshot(outside)
    fds_before = len(os.listdir("/proc/self/fd"))

    stop = threading.Event()
    swaps = Counter[str]()
    attempted = Counter[str]()
    succeeded = Counter[str]()
    leaked: list[tuple[str, object]] = []
    raw: list[tuple[str, BaseException]] = []

    def swapper() -> None:
        while not stop.is_set():
            swaps["ok" if exchange(a, b) == 0 else "failed"] += 1

    def worker(index: int) -> None:
        operations = _operations(store, index)
        while not stop.is_set():
            for name, call in operations:
                attempted[name] += 1
                try:
                    result = call()
                except RemoteStoreError:
                    continue
                except BaseException as exc:  # counting what escapes
                    raw.append((name, exc))
                    continue
                succeeded[name] += 1
                if _leaks(result):
                    leaked.append((name, result))

    threads = [threading.Thread(target=swapper)]
    threads += [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(SWAP_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - started
    after = _snapshot(outside)
    fds_after = len(os.listdir("/proc/self/fd"))

    created = sorted(set(after) - set(before))
    deleted = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    print(
        f"swap test: {elapsed:.1f}s, {swaps['ok']} swaps, {sum(attempted.values())} calls "
        f"({sum(succeeded.values())} succeeded: {dict(succeeded)}); outside reads {len(leaked)}, "
        f"created {len(created)}, changed {len(changed)}, deleted {len(deleted)}, "
        f"raw errors {len(raw)}"
    )
    assert swaps["ok"] > 1000
    assert sum(attempted.values()) > 1000
    # Every call whose target exists inside also got through while swapping (not vacuous).
    assert set(succeeded) == set(attempted) - TRAPS
    assert leaked == []
    assert (created, changed, deleted) == ([], [], [])
    assert raw == []
    assert fds_after == fds_before  # no fd leaked on any path, failed calls included
