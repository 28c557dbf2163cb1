"""Integrity of S3 reads (IO-25) against a real server behind the harness gateway (moto, or
rclone with ``--s3-target rclone``).

A whole-object read of an object with a full-object checksum (every single-PUT object) is
checked against it: ``read_bytes``, a ``read()`` stream consumed to the end and a
``read_seekable()`` reader read from start to end all raise ``ChecksumMismatch`` when a byte of
the body was flipped in transit, and ``BackendUnavailable`` when the body was cut short. A
ranged request asks for no checksum, since none could be checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from remote_store_harness import FaultRule

from remote_store import BackendUnavailable, ChecksumMismatch, RetryPolicy
from remote_store.backends import S3Backend

pytestmark = pytest.mark.s3

MIB = 1024 * 1024
BODY = bytes(range(256)) * (3 * MIB // 256)  # several read chunks and buffer refills

Read = Callable[[S3Backend, str], bytes]
READS: dict[str, Read] = {
    "read_bytes": lambda backend, path: backend.read_bytes(path),
    "read": lambda backend, path: backend.read(path).read(),
    "read_seekable": lambda backend, path: backend.read_seekable(path).read(),
}


@pytest.fixture
def stored(backend_factory: Any) -> S3Backend:
    backend = backend_factory(retry=RetryPolicy(max_attempts=1))
    backend.write("obj.bin", BODY)
    return backend


@pytest.mark.parametrize("offset", [0, MIB + 5, len(BODY) - 1])
@pytest.mark.parametrize("how", list(READS))
def test_a_flipped_byte_in_a_whole_object_read_raises_checksum_mismatch(
    stored: S3Backend, topology: Any, how: str, offset: int
) -> None:
    topology.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=offset))

    with pytest.raises(ChecksumMismatch, match="CRC32") as caught:
        READS[how](stored, "obj.bin")

    assert caught.value.path == "obj.bin"


@pytest.mark.parametrize("how", list(READS))
def test_a_clean_whole_object_read_returns_the_exact_bytes(stored: S3Backend, how: str) -> None:
    assert READS[how](stored, "obj.bin") == BODY


@pytest.mark.parametrize("how", list(READS))
def test_a_body_cut_short_raises_backend_unavailable(
    stored: S3Backend, topology: Any, how: str
) -> None:
    topology.faults.add(FaultRule(kind="truncate", operation="GetObject", after_bytes=MIB + 17))

    with pytest.raises(BackendUnavailable):
        READS[how](stored, "obj.bin")


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_objects_stored_with_each_standard_library_algorithm_are_checked(
    stored: S3Backend, topology: Any, s3_bucket: str, algorithm: str
) -> None:
    topology.boto3_client().put_object(
        Bucket=s3_bucket, Key="other.bin", Body=BODY, ChecksumAlgorithm=algorithm
    )
    assert stored.read("other.bin").read() == BODY
    topology.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=MIB))

    with pytest.raises(ChecksumMismatch, match=algorithm):
        stored.read("other.bin").read()


def test_a_multipart_object_whose_checksum_is_composite_reads_back_unchecked_and_exact(
    backend: S3Backend, log: Any
) -> None:
    body = bytes(range(251)) * (9 * MIB // 251)  # over one part: two parts
    with backend.open_atomic("parts.bin") as sink:
        sink.write(body)
    assert log.count(operation="CompleteMultipartUpload") == 1

    assert [READS[how](backend, "parts.bin") == body for how in READS] == [True] * len(READS)


def test_a_stream_that_failed_its_check_hands_out_no_more_bytes(
    stored: S3Backend, topology: Any
) -> None:
    topology.faults.add(FaultRule(kind="corrupt", operation="GetObject", after_bytes=7))
    stream = stored.read("obj.bin")
    with pytest.raises(ChecksumMismatch):
        stream.read()

    with pytest.raises(ChecksumMismatch):
        stream.read()


def test_a_whole_object_read_asks_for_the_checksum_and_a_ranged_one_does_not(
    stored: S3Backend, log: Any
) -> None:
    mark = log.mark()
    with stored.read_seekable("obj.bin") as reader:
        reader.seek(2 * MIB)
        assert reader.read() == BODY[2 * MIB :]
    # The gateway logs a request when its response ends (the dropped first body may end last).
    deadline = time.monotonic() + 5
    while log.count(operation="GetObject", since=mark) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    gets = sorted((r for r in log.since(mark) if r.operation == "GetObject"), key=lambda r: r.seq)
    assert [("range" in r.headers, r.headers.get("x-amz-checksum-mode")) for r in gets] == [
        (False, "ENABLED"),
        (True, None),
    ]


def test_bytes_read_after_a_jump_back_are_exact(stored: S3Backend) -> None:
    reader = stored.read_seekable("obj.bin")
    reader.seek(2 * MIB)
    reader.read(10)
    reader.seek(0)

    assert reader.read() == BODY
