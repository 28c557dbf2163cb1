"""``remaining_size``: how a stream write learns its size up front, and when it cannot."""

from __future__ import annotations

import io
from typing import Any

import pytest

from remote_store import RemoteStoreError
from remote_store.backends import S3Backend
from remote_store.backends.s3._upload import remaining_size

from .conftest import UnsizedStream


def test_a_seekable_stream_tells_the_bytes_left_from_its_position() -> None:
    stream = io.BytesIO(b"x" * 100)
    stream.seek(30)
    assert remaining_size(stream) == 70
    assert stream.tell() == 30


def test_a_stream_positioned_past_its_end_has_nothing_left() -> None:
    stream = io.BytesIO(b"x" * 10)
    stream.seek(50)
    assert remaining_size(stream) == 0


def test_a_stream_that_is_not_seekable_has_no_known_size() -> None:
    assert remaining_size(UnsizedStream(b"abc")) is None


def test_a_stream_without_seekable_has_no_known_size() -> None:
    class ReadOnly:
        def read(self, n: int = -1) -> bytes:
            return b""

    assert remaining_size(ReadOnly()) is None


def test_a_stream_whose_tell_fails_has_no_known_size() -> None:
    class NoTell(io.BytesIO):
        def tell(self) -> int:
            raise OSError("illegal seek")

    assert remaining_size(NoTell(b"abc")) is None


class _StuckAtEnd(io.BytesIO):
    """Seeks to its end, then cannot seek back: reading on would upload nothing."""

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET and self.tell() == len(self.getvalue()):
            raise OSError("cannot seek back")
        return super().seek(offset, whence)


def test_a_stream_that_cannot_return_to_its_position_raises() -> None:
    with pytest.raises(OSError, match="cannot seek back"):
        remaining_size(_StuckAtEnd(b"abc"))


@pytest.mark.s3
def test_a_write_from_a_stream_that_cannot_return_to_its_position_fails_before_any_request(
    backend: S3Backend, log: Any
) -> None:
    with pytest.raises(RemoteStoreError, match="cannot seek back") as caught:
        backend.write("k", _StuckAtEnd(b"payload"))
    assert isinstance(caught.value.__cause__, OSError)
    assert log.operations() == {}
    assert not backend.exists("k")
