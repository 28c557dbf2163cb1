"""R-WRITE-STREAM: the caller's content stream failing mid-read is one error on every backend.

The stream hands out some bytes, then raises ``ConnectionResetError`` (what a socket being
forwarded into a write does when its peer goes away). Every backend reports a
``RemoteStoreError`` with that exception as ``__cause__`` and leaves nothing behind: no target,
no temp file, no stray object.
"""

from __future__ import annotations

import io
from typing import BinaryIO, cast

import pytest

from remote_store import RemoteStoreError, Store


class ResettingStream(io.RawIOBase):
    """Yields ``good`` bytes in small reads, then raises ``ConnectionResetError``."""

    def __init__(self, good: int = 70_000) -> None:
        self._left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            raise ConnectionResetError(104, "Connection reset by peer")
        n = min(len(buffer), self._left, 16_384)
        buffer[:n] = b"x" * n
        self._left -= n
        return n


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_a_failing_content_stream_is_a_remote_store_error_caused_by_it(
    store: Store, method: str
) -> None:
    with pytest.raises(RemoteStoreError) as caught:
        getattr(store, method)("d/f.bin", cast(BinaryIO, ResettingStream()))

    assert isinstance(caught.value.__cause__, ConnectionResetError)


@pytest.mark.parametrize("method", ["write", "write_atomic"])
def test_a_failing_content_stream_leaves_nothing_behind(store: Store, method: str) -> None:
    with pytest.raises(RemoteStoreError):
        getattr(store, method)("d/f.bin", cast(BinaryIO, ResettingStream()))

    assert not store.exists("d/f.bin")
    assert [info.path for info in store.list_files("", recursive=True)] == []


def test_a_failing_content_stream_leaves_an_existing_target_readable(store: Store) -> None:
    store.write("f.bin", b"old")

    with pytest.raises(RemoteStoreError):
        store.write_atomic("f.bin", cast(BinaryIO, ResettingStream()), overwrite=True)

    assert store.read_bytes("f.bin") == b"old"


def test_a_remote_store_error_raised_by_the_stream_itself_passes_through(store: Store) -> None:
    class Refusing(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise RemoteStoreError("upstream store failed")

    with pytest.raises(RemoteStoreError, match="upstream store failed") as caught:
        store.write("f.bin", cast(BinaryIO, Refusing()))

    assert caught.value.__cause__ is None
