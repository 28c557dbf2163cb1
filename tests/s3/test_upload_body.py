"""``ViewBody``: the request body botocore hashes and aiohttp sends without copying the bytes."""

from __future__ import annotations

import io
import os

import pytest

from remote_store.backends.s3._body import ViewBody

DATA = bytes(range(256)) * 4


def test_reads_are_views_of_the_given_bytes_not_copies() -> None:
    backing = bytearray(DATA)
    body = ViewBody(memoryview(backing))
    chunk = body.read(10)
    backing[0] = 255
    assert isinstance(chunk, memoryview)
    assert chunk[0] == 255


def test_reads_advance_and_end_with_an_empty_chunk_equal_to_b_empty() -> None:
    body = ViewBody(memoryview(DATA))
    chunks = list(iter(lambda: body.read(300), b""))  # how botocore hashes a body
    assert b"".join(chunks) == DATA
    assert [len(c) for c in chunks] == [300, 300, 300, 124]


def test_seek_and_tell_give_the_length_the_way_botocore_measures_it() -> None:
    body = ViewBody(memoryview(DATA)[100:])
    assert body.seek(0, os.SEEK_END) == len(DATA) - 100
    body.seek(5)
    assert body.tell() == 5
    assert body.read(3).tobytes() == DATA[105:108]


def test_releasing_a_getbuffer_view_leaves_the_body_readable() -> None:
    body = ViewBody(memoryview(DATA))
    with body.getbuffer() as whole:  # how aiohttp sizes a BytesIO payload
        assert whole.nbytes == len(DATA)
    assert body.read().tobytes() == DATA


def test_readinto_fills_the_callers_buffer() -> None:
    body = ViewBody(memoryview(DATA))
    target = bytearray(8)
    assert body.readinto(target) == 8
    assert bytes(target) == DATA[:8]


def test_it_is_a_bytes_io_so_aiohttp_and_botocore_take_their_in_memory_path() -> None:
    assert isinstance(ViewBody(memoryview(DATA)), io.BytesIO)


def test_writing_to_a_request_body_is_refused() -> None:
    with pytest.raises(io.UnsupportedOperation):
        ViewBody(memoryview(DATA)).write(b"x")


def test_seek_from_the_current_position_and_an_unknown_whence_is_refused() -> None:
    body = ViewBody(memoryview(DATA))
    body.read(10)
    assert body.seek(-4, os.SEEK_CUR) == 6
    with pytest.raises(ValueError):
        body.seek(0, 7)
