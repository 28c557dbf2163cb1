"""R-WRITE-ORDER, R-WRITE-DIRS, R-WRITE-RESULT and the Store's write evaluation order (§14)."""

from __future__ import annotations

import io

import pytest

from remote_store import (
    AlreadyExists,
    Capability,
    CapabilityNotSupported,
    InvalidPath,
    RemotePath,
    Store,
)


def test_write_creates_a_new_file(store: Store) -> None:
    store.write("new.txt", b"data")
    assert store.read_bytes("new.txt") == b"data"


def test_write_creates_missing_parent_folders(store: Store) -> None:
    store.write("a/b/c/deep.txt", b"x")
    assert store.is_folder("a") and store.is_folder("a/b") and store.is_folder("a/b/c")


def test_write_accepts_a_stream_from_its_current_position(store: Store) -> None:
    stream = io.BytesIO(b"skipTHIS")
    stream.seek(4)
    store.write("s.txt", stream)
    assert store.read_bytes("s.txt") == b"THIS"


def test_write_without_overwrite_refuses_an_existing_file(store: Store) -> None:
    store.write("f.txt", b"old")
    with pytest.raises(AlreadyExists):
        store.write("f.txt", b"new")


def test_refused_write_leaves_the_existing_content(store: Store) -> None:
    store.write("f.txt", b"old")
    with pytest.raises(AlreadyExists):
        store.write("f.txt", b"new")
    assert store.read_bytes("f.txt") == b"old"


def test_already_exists_carries_the_store_relative_path(store: Store) -> None:
    store.write("d/f.txt", b"old")
    with pytest.raises(AlreadyExists) as caught:
        store.write("d/f.txt", b"new")
    assert caught.value.path == "d/f.txt"


def test_write_with_overwrite_replaces_the_content(store: Store) -> None:
    store.write("f.txt", b"old content")
    store.write("f.txt", b"new", overwrite=True)
    assert store.read_bytes("f.txt") == b"new"


def test_write_with_overwrite_creates_a_missing_file(store: Store) -> None:
    store.write("f.txt", b"x", overwrite=True)
    assert store.read_bytes("f.txt") == b"x"


@pytest.mark.requires_hierarchy
def test_write_onto_an_existing_folder_raises_invalid_path(store: Store) -> None:
    store.write("d/inner.txt", b"x")
    with pytest.raises(InvalidPath):
        store.write("d", b"x", overwrite=True)


@pytest.mark.requires_hierarchy
def test_folder_conflict_beats_already_exists(store: Store) -> None:
    store.write("d/inner.txt", b"x")
    with pytest.raises(InvalidPath):
        store.write("d", b"x", overwrite=False)


@pytest.mark.requires_hierarchy
def test_write_under_a_file_ancestor_raises_invalid_path(store: Store) -> None:
    store.write("f.txt", b"x")
    with pytest.raises(InvalidPath):
        store.write("f.txt/child.txt", b"y")


def test_write_text_encodes_with_the_given_encoding(store: Store) -> None:
    store.write_text("t.txt", "é", encoding="latin-1")
    assert store.read_bytes("t.txt") == b"\xe9"


def test_write_text_unencodable_text_raises_before_anything(store: Store) -> None:
    with pytest.raises(UnicodeEncodeError):
        store.write_text("", "ü", encoding="ascii")


def test_write_result_path_is_store_relative_and_normalised(store: Store) -> None:
    result = store.write("./d//f.txt", b"abc")
    assert result.path == RemotePath("d/f.txt")


def test_write_result_size_counts_bytes(store: Store) -> None:
    assert store.write("f.txt", b"12345").size == 5


def test_write_result_size_counts_stream_bytes(store: Store) -> None:
    assert store.write("f.txt", io.BytesIO(b"x" * 1000)).size == 1000


def test_write_result_source_follows_write_result_native(store: Store) -> None:
    expected = "native" if store.supports(Capability.WRITE_RESULT_NATIVE) else "basic"
    assert store.write("f.txt", b"x").source == expected


def test_write_result_without_metadata_has_none(store: Store) -> None:
    assert store.write("f.txt", b"x").metadata is None


def test_write_result_rich_fields_agree_with_file_info(store: Store) -> None:
    result = store.write("f.txt", b"abc")
    info = store.get_file_info("f.txt")
    if result.etag is not None and info.etag is not None:
        assert result.etag == info.etag
    if result.digest is not None and info.digest is not None:
        assert result.digest == info.digest


def test_written_path_is_reusable_as_input(store: Store) -> None:
    result = store.write("a/b.txt", b"x")
    assert store.read_bytes(str(result.path)) == b"x"


@pytest.mark.parametrize("bad", ["a/../b", "a\0b", ".."])
def test_write_to_an_invalid_path_raises_invalid_path(store: Store, bad: str) -> None:
    with pytest.raises(InvalidPath):
        store.write(bad, b"x")


def test_metadata_shape_is_checked_before_the_path(store: Store) -> None:
    with pytest.raises(ValueError):
        store.write("", b"x", metadata={"_bad": "v"})


def test_metadata_shape_is_checked_even_without_user_metadata(store: Store) -> None:
    with pytest.raises(ValueError):
        store.write("f.txt", b"x", metadata={"": "v"})


def test_metadata_over_the_size_limit_raises_value_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.write("f.txt", b"x", metadata={"k": "v" * 2100})


def test_empty_metadata_is_no_metadata(store: Store) -> None:
    assert store.write("f.txt", b"x", metadata={}).metadata is None


def test_user_metadata_gate_comes_before_the_path(store: Store) -> None:
    if store.supports(Capability.USER_METADATA):
        pytest.skip("backend has capability 'user_metadata'")
    with pytest.raises(CapabilityNotSupported) as caught:
        store.write("", b"x", metadata={"k": "v"})
    assert caught.value.capability == "user_metadata"
