"""S3Backend semantics against a real moto server over HTTP (docs/contract.md §9, §15)."""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from typing import Any

import pytest
import s3fs
from remote_store_harness import FaultRule

from remote_store import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
    Store,
)
from remote_store.backends import S3Backend

from .conftest import UnsizedStream

pytestmark = pytest.mark.s3


# -- write results ------
def test_write_result_comes_from_the_put_response(backend: S3Backend) -> None:
    result = backend.write("r.txt", b"hello", metadata={"Owner": "Ann"})
    assert result.source == "native"
    assert result.size == 5
    assert result.etag == hashlib.md5(b"hello").hexdigest()
    assert result.digest is not None and result.digest.algorithm == "crc32"
    assert int(result.digest.value, 16) == zlib.crc32(b"hello")
    assert result.metadata == {"owner": "Ann"}
    assert result.last_modified is not None and result.last_modified.tzinfo is not None


def test_write_result_agrees_with_get_file_info(backend: S3Backend) -> None:
    result = backend.write("r.txt", b"hello")
    info = backend.get_file_info("r.txt")
    assert (info.etag, info.size) == (result.etag, result.size)
    assert info.modified_at == result.last_modified
    assert info.digest is None  # reads never request checksums (IO-10)


def test_multipart_write_result_has_the_multipart_etag(backend: S3Backend) -> None:
    result = backend.write("big", UnsizedStream(b"a" * (9 * 1024 * 1024)))
    assert result.etag is not None and result.etag.endswith("-2")
    assert backend.get_file_info("big").etag == result.etag


# -- conditional writes ------
def test_overwrite_false_on_an_existing_object_raises_already_exists(backend: S3Backend) -> None:
    backend.write("k", b"one")
    with pytest.raises(AlreadyExists) as caught:
        backend.write("k", b"two")
    assert caught.value.path == "k"
    assert backend.read_bytes("k") == b"one"


def test_multipart_overwrite_false_is_decided_at_complete(backend: S3Backend, log: Any) -> None:
    backend.write("k", b"one")
    with pytest.raises(AlreadyExists):
        backend.write("k", UnsizedStream(b"b" * (9 * 1024 * 1024)))
    complete = [r for r in log.records() if r.operation == "CompleteMultipartUpload"]
    assert complete[0].headers.get("if-none-match") == "*"
    assert log.count(operation="AbortMultipartUpload") == 1
    assert backend.read_bytes("k") == b"one"


def test_conditional_writes_off_still_refuses_an_existing_object(backend_factory: Any) -> None:
    backend = backend_factory(conditional_writes=False)
    backend.write("k", b"one")
    with pytest.raises(AlreadyExists):
        backend.write("k", b"two")


def test_overwrite_false_checks_the_exact_key_not_the_prefix(backend: S3Backend) -> None:
    backend.write("d/x", b"1")
    backend.write("d", b"2")  # IO-4: a prefix is not an object
    assert backend.is_file("d") and backend.is_folder("d")


def test_open_atomic_refuses_an_existing_target_on_enter(backend: S3Backend, log: Any) -> None:
    backend.write("k", b"one")
    mark = log.mark()
    with pytest.raises(AlreadyExists), backend.open_atomic("k"):
        pytest.fail("the block must not run")
    assert log.operations(since=mark) == {"HeadObject": 1}


def test_open_atomic_commit_is_conditional(backend: S3Backend, log: Any) -> None:
    with pytest.raises(AlreadyExists), backend.open_atomic("k") as writer:
        writer.write(b"mine")
        backend.write("k", b"theirs")  # another writer gets there first
    assert backend.read_bytes("k") == b"theirs"


def test_open_atomic_sets_the_result_after_commit(backend: S3Backend) -> None:
    with backend.open_atomic("k", metadata={"A": "b"}) as writer:
        writer.write(b"abc")
        assert writer.tell() == 3
        assert writer.result is None
    assert writer.result is not None and writer.result.size == 3
    assert backend.get_file_info("k").metadata == {"a": "b"}


# -- metadata ------
def test_metadata_keys_round_trip_lowercased(backend: S3Backend) -> None:
    backend.write("m", b"x", metadata={"Mixed-Key": "Value With Spaces"})
    assert backend.get_file_info("m").metadata == {"mixed-key": "Value With Spaces"}


@pytest.mark.parametrize(
    "metadata",
    [
        {"k": "caf\u00e9"},
        {"k": "line\nbreak"},
        {"k": " padded"},
        {"bad key": "v"},
        {"a": "1", "A": "2"},
    ],
    ids=["non-ascii", "control", "padded", "key-with-space", "case-collision"],
)
def test_metadata_that_cannot_travel_in_a_header_is_refused_before_any_request(
    backend: S3Backend, log: Any, metadata: dict[str, str]
) -> None:
    with pytest.raises(ValueError):
        backend.write("m", b"x", metadata=metadata)
    assert len(log) == 0


def test_move_and_copy_preserve_metadata(backend: S3Backend) -> None:
    backend.write("src", b"x", metadata={"tag": "kept"})
    backend.copy("src", "copied")
    backend.move("src", "moved")
    assert backend.get_file_info("copied").metadata == {"tag": "kept"}
    assert backend.get_file_info("moved").metadata == {"tag": "kept"}
    assert not backend.exists("src")


# -- reads ------
def test_read_is_seekable_and_seeks_with_pinned_range_requests(
    backend: S3Backend, log: Any
) -> None:
    data = bytes(range(256)) * 10
    backend.write("r", data)
    mark = log.mark()
    with backend.read("r") as stream:
        assert stream.seekable()
        stream.seek(1000)
        assert stream.read(10) == data[1000:1010]
        assert stream.tell() == 1010
        stream.seek(-5, io.SEEK_END)
        assert stream.read() == data[-5:]
    gets = [r for r in log.since(mark) if r.operation == "GetObject"]
    assert all(r.headers.get("if-match") for r in gets[1:])
    assert any(r.headers.get("range") for r in gets[1:])


def test_a_replaced_object_is_never_spliced_into_an_open_stream(backend: S3Backend) -> None:
    backend.write("r", b"a" * 10)
    with backend.read("r") as stream:
        backend.write("r", b"b" * 10, overwrite=True)
        stream.seek(5)
        with pytest.raises(RemoteStoreError) as caught:
            stream.read()
    assert caught.value.path == "r"


def test_transport_failure_while_consuming_a_stream_is_mapped(
    backend: S3Backend, topology: Any
) -> None:
    backend.write("r", b"c" * 100)
    with backend.read("r") as stream:
        topology.faults.add(FaultRule(kind="reset", operation="GetObject"))
        stream.seek(50)
        with pytest.raises(BackendUnavailable):
            stream.read()


def test_reading_a_folder_is_invalid_path_and_a_miss_is_not_found(backend: S3Backend) -> None:
    backend.write("d/x", b"1")
    with pytest.raises(InvalidPath):
        backend.read("d")
    with pytest.raises(InvalidPath):
        backend.read_bytes("d")
    with pytest.raises(InvalidPath):
        backend.get_file_info("d")
    with pytest.raises(NotFound) as caught:
        backend.read_bytes("nope")
    assert caught.value.path == "nope" and caught.value.backend == "s3"


# -- listings ------
def test_list_files_on_an_object_path_yields_nothing(backend: S3Backend) -> None:
    backend.write("obj", b"1")
    assert list(backend.list_files("obj")) == []
    assert list(backend.list_files("obj", recursive=True)) == []


def test_directory_markers_are_folders_never_files(
    backend: S3Backend, topology: Any, s3_bucket: str
) -> None:
    topology.target.populate(s3_bucket, [("empty/", b""), ("full/", b""), ("full/f", b"12")])
    assert backend.is_folder("empty") and backend.exists("empty")
    assert not backend.is_file("empty")
    assert list(backend.list_files("empty")) == []
    every = sorted(str(f.path) for f in backend.list_files("", recursive=True))
    assert every == ["full/f"]
    assert sorted(str(e.path) for e in backend.list_folders("")) == ["empty", "full"]
    info = backend.get_folder_info("full")
    assert (info.file_count, info.total_size) == (1, 2)
    assert backend.get_folder_info("empty").file_count == 0


def test_non_recursive_delete_folder_removes_a_marker_only_folder(
    backend: S3Backend, topology: Any, s3_bucket: str
) -> None:
    topology.target.populate(s3_bucket, [("empty/", b"")])
    backend.delete_folder("empty")
    assert not backend.exists("empty")


def test_non_recursive_delete_folder_refuses_a_folder_with_files(backend: S3Backend) -> None:
    backend.write("d/x", b"1")
    with pytest.raises(DirectoryNotEmpty):
        backend.delete_folder("d")


def test_folder_operations_on_a_file_are_invalid_path(backend: S3Backend) -> None:
    backend.write("f", b"1")
    with pytest.raises(InvalidPath):
        backend.get_folder_info("f")
    with pytest.raises(InvalidPath):
        backend.delete_folder("f", missing_ok=True)


def test_delete_of_a_folder_is_invalid_path_even_with_missing_ok(backend: S3Backend) -> None:
    backend.write("d/x", b"1")
    with pytest.raises(InvalidPath):
        backend.delete("d", missing_ok=True)


# -- absent bucket (R-ABSENT) ----------------------------------------------------------------------
def test_an_absent_bucket_reads_as_absent_paths(backend_factory: Any) -> None:
    backend = backend_factory(bucket="no-such-bucket-here")
    assert backend.exists("") and not backend.exists("a") and not backend.is_folder("a")
    assert not backend.is_file("a")
    assert list(backend.list_files("", recursive=True)) == []
    assert list(backend.iter_children("")) == []
    assert backend.get_folder_info("").file_count == 0
    backend.delete("a", missing_ok=True)
    with pytest.raises(NotFound):
        backend.read_bytes("a")
    with pytest.raises(NotFound):
        backend.get_folder_info("a")
    with pytest.raises(NotFound):
        backend.check_health()


def test_a_bucket_vanishing_mid_listing_propagates(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    """The bucket goes once page 2 is fetched (listings run one page ahead), before page 3 is.

    Deleting it while a prefetched request is in flight would race the server (moto then
    answers 500), so the test waits for page 2's answer before deleting.
    """
    topology.target.populate(s3_bucket, [(f"k{i:05d}", 1) for i in range(2500)])
    stream = backend.list_files("", recursive=True)
    for _ in range(1000):
        next(stream)
    deadline = time.monotonic() + 30
    while log.count(operation="ListObjectsV2") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the gateway logs a request once it has answered it
    topology.delete_bucket(s3_bucket)
    try:
        with pytest.raises(NotFound):
            for _ in stream:
                pass
    finally:
        topology.create_bucket(s3_bucket)


# -- ancestor walk ------
def test_writes_under_a_file_are_allowed_by_default(backend: S3Backend) -> None:
    backend.write("a", b"file")
    backend.write("a/b", b"nested")  # flat namespace (R-WRITE-FLAT)
    assert backend.is_file("a") and backend.is_file("a/b")


def test_opt_in_ancestor_walk_refuses_writes_under_a_file(backend_factory: Any) -> None:
    backend = backend_factory(reject_write_under_file_ancestor=True)
    backend.write("a", b"file")
    with pytest.raises(InvalidPath):
        backend.write("a/b/c", b"nested")
    backend.write("b/c", b"1")
    with pytest.raises(InvalidPath):
        backend.move("b/c", "a/x")
    with pytest.raises(NotFound):
        backend.move("missing", "a/x")  # the source check comes first


# -- move / copy ------
def test_move_of_a_missing_source_is_not_found_even_if_destination_exists(
    backend: S3Backend,
) -> None:
    backend.write("dst", b"1")
    with pytest.raises(NotFound) as caught:
        backend.move("missing", "dst")
    assert caught.value.path == "missing"


def test_move_refuses_an_existing_destination(backend: S3Backend) -> None:
    backend.write("src", b"1")
    backend.write("dst", b"2")
    with pytest.raises(AlreadyExists):
        backend.move("src", "dst")
    assert backend.read_bytes("dst") == b"2" and backend.exists("src")


@pytest.mark.parametrize("op", ["move", "copy"])
def test_existing_destination_message_contains_the_033_phrase(backend: S3Backend, op: str) -> None:
    backend.write("src", b"1")
    backend.write("dst", b"2")
    with pytest.raises(AlreadyExists, match="Destination already exists"):
        getattr(backend, op)("src", "dst")


def test_move_of_a_folder_is_invalid_path(backend: S3Backend) -> None:
    backend.write("d/x", b"1")
    with pytest.raises(InvalidPath):
        backend.move("d", "e", overwrite=True)


def test_moving_to_the_root_is_refused_before_any_request(backend: S3Backend, log: Any) -> None:
    with pytest.raises(InvalidPath):
        backend.move("missing", "")
    assert len(log) == 0


# -- lifecycle and addressing ------
def test_close_is_terminal_except_for_addressing(backend: S3Backend) -> None:
    backend.close()
    backend.close()
    with pytest.raises(BackendUnavailable):
        backend.exists("")
    with pytest.raises(BackendUnavailable):
        backend.write("", b"")
    assert backend.native_path("a/b") == f"{backend.bucket}/a/b"
    assert backend.to_key(f"{backend.bucket}/a/b") == "a/b"


def test_addressing_round_trips(backend: S3Backend) -> None:
    bucket = backend.bucket
    assert backend.native_path("") == backend.native_path(".") == bucket
    assert backend.to_key(bucket) == ""
    assert backend.to_key(backend.native_path("x/y.txt")) == "x/y.txt"
    assert backend.to_key("other/x") == "other/x"


def test_unwrap_returns_this_backends_own_s3fs_client(backend_factory: Any) -> None:
    first, second = backend_factory(), backend_factory()
    fs = first.unwrap(s3fs.S3FileSystem)
    assert isinstance(fs, s3fs.S3FileSystem)
    assert fs is not second.unwrap(s3fs.S3FileSystem)
    with pytest.raises(CapabilityNotSupported) as caught:
        first.unwrap(dict)
    assert caught.value.capability == "unwrap"


def test_listings_are_fresh_across_writers_by_default(backend_factory: Any) -> None:
    reader, writer = backend_factory(), backend_factory()
    writer.write("d/one", b"1")
    assert len(list(reader.iter_children("d"))) == 1
    writer.write("d/two", b"2")
    assert len(list(reader.iter_children("d"))) == 2


def test_use_listings_cache_true_restores_s3fs_caching(backend_factory: Any, log: Any) -> None:
    reader = backend_factory(client_options_extra={"use_listings_cache": True})
    writer = backend_factory()
    writer.write("d/one", b"1")
    assert len(list(reader.iter_children("d"))) == 1
    writer.write("d/two", b"2")
    mark = log.mark()
    assert len(list(reader.iter_children("d"))) == 1  # stale, served from memory
    assert len(log.since(mark)) == 0
    reader.write("d/three", b"3")  # the backend's own writes invalidate its cache
    assert len(list(reader.iter_children("d"))) == 3


def test_store_paths_in_errors_are_store_relative(backend: S3Backend) -> None:
    store = Store(backend, "root")
    with pytest.raises(NotFound) as caught:
        store.read_bytes("nope")
    assert caught.value.path == "nope"
