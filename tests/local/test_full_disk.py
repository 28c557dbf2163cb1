"""A write that fails because the disk is full leaves nothing behind (issue 14, item 6).

Two real kernel faults: a 1 MiB ``tmpfs`` (``ENOSPC``; needs permission to mount, else the
case is skipped with the reason) and ``RLIMIT_FSIZE`` (``EFBIG`` past the limit, available to
any user). In both, the failed call must leave no partial target and no temp file, must raise a
``RemoteStoreError``, and a retry of the same key must not meet ``AlreadyExists``.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from remote_store import AlreadyExists, RemoteStoreError, Store
from remote_store.backends import LocalBackend

LIMIT = 1024 * 1024
TOO_BIG = b"x" * (3 * LIMIT)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux faults")


@pytest.fixture(params=["tmpfs-enospc", "rlimit-efbig"])
def full_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store whose disk takes at most ``LIMIT`` bytes (per file for the rlimit case)."""
    root = tmp_path / "small"
    root.mkdir()
    if request.param == "tmpfs-enospc":
        mount = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={LIMIT}", "tmpfs", str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        if mount.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip() or mount.returncode}")
        try:
            yield Store(LocalBackend(str(root)))
        finally:
            subprocess.run(["umount", str(root)], check=True)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))
    try:
        yield Store(LocalBackend(str(root)))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def _leftovers(store: Store) -> list[str]:
    return sorted(os.listdir(store.native_path("")))


def _open_atomic(store: Store, key: str, data: bytes) -> None:
    with store.open_atomic(key) as writer:
        writer.write(data)


WRITES: dict[str, Callable[[Store, str, bytes], object]] = {
    "write": lambda store, key, data: store.write(key, data),
    "write_atomic": lambda store, key, data: store.write_atomic(key, data),
    "open_atomic": _open_atomic,
}


@pytest.mark.parametrize("how", sorted(WRITES))
def test_a_write_failing_on_a_full_disk_leaves_nothing_and_can_be_retried(
    full_store: Store, how: str
) -> None:
    write = WRITES[how]
    with pytest.raises(RemoteStoreError) as failure:
        write(full_store, "big.bin", TOO_BIG)
    assert not isinstance(failure.value, AlreadyExists)
    assert _leftovers(full_store) == []
    write(full_store, "big.bin", b"fits")
    assert full_store.read_bytes("big.bin") == b"fits"


def test_a_copy_failing_on_a_full_disk_leaves_no_temp_file(
    full_store: Store, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["full_store"] == "rlimit-efbig":
        pytest.skip("RLIMIT_FSIZE limits each file: a copy of a file that fits fits too")
    full_store.write("a.bin", b"y" * (LIMIT * 6 // 10))
    with pytest.raises(RemoteStoreError):
        full_store.copy("a.bin", "b.bin")
    assert _leftovers(full_store) == ["a.bin"]
