"""R-READ: reads return the content; missing is NotFound; a folder is InvalidPath."""

from __future__ import annotations

import pytest

from remote_store import InvalidPath, NotFound, Store


def test_read_bytes_returns_what_was_written(store: Store) -> None:
    store.write("f.bin", b"\x00\x01payload")
    assert store.read_bytes("f.bin") == b"\x00\x01payload"


def test_read_stream_starts_at_byte_zero(store: Store) -> None:
    store.write("f.bin", b"abcdef")
    with store.read("f.bin") as stream:
        assert stream.read() == b"abcdef"


def test_read_seekable_can_seek_and_reread(store: Store) -> None:
    store.write("f.bin", b"abcdef")
    with store.read_seekable("f.bin") as stream:
        assert stream.seekable()
        stream.seek(3)
        assert stream.read() == b"def"
        stream.seek(0)
        assert stream.read(2) == b"ab"


def test_read_text_decodes_utf8(store: Store) -> None:
    store.write_text("t.txt", "héllo ✓")
    assert store.read_text("t.txt") == "héllo ✓"


def test_read_text_honours_the_encoding(store: Store) -> None:
    store.write("t.txt", "grüße".encode("latin-1"))
    assert store.read_text("t.txt", encoding="latin-1") == "grüße"


def test_read_text_with_invalid_bytes_raises_unicode_error(store: Store) -> None:
    store.write("t.txt", b"\xff\xfe\xfa")
    with pytest.raises(UnicodeDecodeError):
        store.read_text("t.txt")


def test_empty_file_reads_as_empty_bytes(store: Store) -> None:
    store.write("empty", b"")
    assert store.read_bytes("empty") == b""


@pytest.mark.parametrize("method", ["read", "read_bytes", "read_seekable", "read_text"])
def test_reading_a_missing_file_raises_not_found(store: Store, method: str) -> None:
    with pytest.raises(NotFound):
        getattr(store, method)("missing.txt")


@pytest.mark.parametrize("method", ["read", "read_bytes", "read_seekable"])
def test_reading_a_folder_raises_invalid_path(store: Store, method: str) -> None:
    store.write("d/f.txt", b"x")
    with pytest.raises(InvalidPath):
        getattr(store, method)("d")


def test_reading_under_a_file_raises_not_found(store: Store) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(NotFound):
        store.read_bytes("f.txt/inner")


def test_not_found_carries_the_store_relative_path(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        store.read_bytes("dir/missing.txt")
    assert caught.value.path == "dir/missing.txt"


def test_a_larger_stream_round_trips(store: Store) -> None:
    payload = bytes(range(256)) * 800  # 200 KiB
    store.write("big.bin", payload)
    with store.read("big.bin") as stream:
        assert stream.read() == payload
