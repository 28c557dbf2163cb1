"""The private helpers backends share: seek arithmetic and key splitting."""

from __future__ import annotations

import io

import pytest

from remote_store import InvalidPath
from remote_store._path import backend_segments
from remote_store._streams import seek_target


@pytest.mark.parametrize(
    ("offset", "whence", "expected"),
    [(3, io.SEEK_SET, 3), (-2, io.SEEK_CUR, 3), (-1, io.SEEK_END, 9), (5, io.SEEK_END, 15)],
)
def test_seek_target_follows_io_semantics(offset: int, whence: int, expected: int) -> None:
    assert seek_target(offset, whence, position=5, size=10) == expected


def test_seek_target_refuses_a_negative_position() -> None:
    with pytest.raises(ValueError, match="negative"):
        seek_target(-11, io.SEEK_END, position=0, size=10)


def test_seek_target_refuses_an_unknown_whence() -> None:
    with pytest.raises(ValueError, match="whence"):
        seek_target(0, 7, position=0, size=10)


def test_backend_segments_drop_empty_and_dot_segments() -> None:
    assert backend_segments("./a//b/", "memory") == ["a", "b"]
    assert backend_segments("/", "memory") == []


@pytest.mark.parametrize("key", ["a/../b", "a\0b"])
def test_backend_segments_refuse_escapes_naming_the_backend(key: str) -> None:
    with pytest.raises(InvalidPath) as caught:
        backend_segments(key, "sftp")
    assert caught.value.backend == "sftp"
