"""Injected faults: retries count attempts exactly; broken uploads leave nothing behind."""

from __future__ import annotations

import io
from typing import Any

import pytest
from remote_store_harness import FaultRule

from remote_store import BackendUnavailable, RemoteStoreError, RetryPolicy
from remote_store.backends import S3Backend

from .conftest import UnsizedStream

pytestmark = pytest.mark.s3

MIB = 1024 * 1024


def slow_down(operation: str, k: int) -> FaultRule:
    return FaultRule(kind="error", operation=operation, first=k, status=503, code="SlowDown")


@pytest.mark.parametrize("k", [1, 2])
def test_retry_policy_with_one_more_attempt_than_faults_succeeds(
    backend_factory: Any, topology: Any, log: Any, k: int
) -> None:
    topology.faults.add(slow_down("PutObject", k))
    backend = backend_factory(retry=RetryPolicy(max_attempts=k + 1))
    result = backend.write("k", b"payload")
    assert result.size == 7
    assert log.count(operation="PutObject") == k + 1
    assert log.count(operation="PutObject", status=503) == k
    assert backend.read_bytes("k") == b"payload"


@pytest.mark.parametrize("k", [1, 2])
def test_retry_policy_with_as_many_attempts_as_faults_fails_unavailable(
    backend_factory: Any, topology: Any, log: Any, k: int
) -> None:
    topology.faults.add(slow_down("GetObject", k))
    backend = backend_factory(retry=RetryPolicy(max_attempts=k))
    backend.write("k", b"payload")
    with pytest.raises(BackendUnavailable) as caught:
        backend.read_bytes("k")
    assert caught.value.path == "k"
    assert log.count(operation="GetObject") == k


def test_disabled_retry_policy_makes_exactly_one_attempt(
    backend_factory: Any, topology: Any, log: Any
) -> None:
    topology.faults.add(slow_down("HeadObject", 5))
    backend = backend_factory(retry=RetryPolicy.disabled())
    with pytest.raises(BackendUnavailable):
        backend.get_file_info("k")
    assert log.count(operation="HeadObject") == 1


def uploads_in_progress(topology: Any, bucket: str) -> list[Any]:
    client = topology.boto3_client()
    return list(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_a_reset_part_is_sent_again_only_as_a_counted_retry(
    backend_factory: Any, topology: Any, log: Any
) -> None:
    """aiohttp's own silent re-send is off: the second send of part 2 is botocore's retry."""
    topology.faults.add(FaultRule(kind="reset", operation="UploadPart", nth={2}))
    backend = backend_factory(retry=RetryPolicy(max_attempts=2))
    backend.write("big.bin", UnsizedStream(b"x" * (20 * MIB)))
    assert log.count(operation="UploadPart") == 4  # parts 1, 2 (reset), 2 again, 3
    assert log.count(operation="UploadPart", fault="reset") == 1
    assert backend.get_file_info("big.bin").size == 20 * MIB


def test_connection_reset_mid_multipart_leaves_no_object_and_no_upload(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    # Parts are in flight together, so the n-th request is not "part n": reset them all.
    topology.faults.add(FaultRule(kind="reset", operation="UploadPart"))
    with pytest.raises(BackendUnavailable):
        backend.write("big.bin", UnsizedStream(b"x" * (20 * MIB)))
    assert log.count(operation="CreateMultipartUpload") == 1
    assert log.count(operation="AbortMultipartUpload") == 1
    assert log.count(operation="CompleteMultipartUpload") == 0
    assert not backend.exists("big.bin")
    assert uploads_in_progress(topology, s3_bucket) == []


def test_a_failing_content_stream_aborts_the_upload_and_raises_remote_store_error(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    class Exploding(io.RawIOBase):
        def __init__(self) -> None:
            self.sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if self.sent >= 17 * MIB:
                raise RuntimeError("source broke")
            view = memoryview(buffer)
            view[:] = b"y" * len(view)
            self.sent += len(view)
            return len(view)

    with pytest.raises(RemoteStoreError, match="source broke") as caught:
        backend.write("big.bin", io.BufferedReader(Exploding()))
    assert isinstance(caught.value.__cause__, RuntimeError)  # R-WRITE-STREAM
    assert log.count(operation="UploadPart") >= 2
    assert log.count(operation="AbortMultipartUpload") == 1
    assert not backend.exists("big.bin")
    assert uploads_in_progress(topology, s3_bucket) == []


def test_an_exception_inside_open_atomic_aborts_the_upload(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    with pytest.raises(KeyError), backend.open_atomic("big.bin") as writer:
        writer.write(b"z" * (9 * MIB))  # more than one part: the upload has started
        raise KeyError("caller gave up")
    assert log.count(operation="UploadPart") == 1
    assert log.count(operation="AbortMultipartUpload") == 1
    assert not backend.exists("big.bin")
    assert uploads_in_progress(topology, s3_bucket) == []


def test_a_failed_complete_aborts_the_upload(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.faults.add(slow_down("CompleteMultipartUpload", 1))
    with pytest.raises(BackendUnavailable):
        backend.write("big.bin", UnsizedStream(b"q" * (9 * MIB)))
    assert log.count(operation="AbortMultipartUpload") == 1
    assert not backend.exists("big.bin")
    assert uploads_in_progress(topology, s3_bucket) == []


def test_stream_writes_with_one_part_in_flight_keep_memory_to_about_one_part(
    backend_factory: Any, log: Any
) -> None:
    """Parts leave as soon as they fill: 3 parts uploaded while the body is still arriving."""
    backend = backend_factory(upload_concurrency=1)
    seen_parts: list[int] = []

    class Counting(io.RawIOBase):
        def __init__(self, total: int) -> None:
            self.left = total

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            seen_parts.append(log.count(operation="UploadPart"))
            n = min(len(buffer), self.left)
            memoryview(buffer)[:n] = b"m" * n
            self.left -= n
            return n

    backend.write("big.bin", io.BufferedReader(Counting(33 * MIB), buffer_size=MIB))
    assert log.count(operation="UploadPart") == 5
    # Before the last bytes were read, all full parts but the one being filled had been sent.
    assert seen_parts[-1] >= 3
    assert backend.get_file_info("big.bin").size == 33 * MIB


def test_read_bytes_of_a_body_cut_short_raises_instead_of_returning_less(
    backend_factory: Any, topology: Any
) -> None:
    backend = backend_factory(retry=RetryPolicy(max_attempts=1))
    backend.write("cut.bin", b"c" * (3 * MIB), overwrite=True)
    topology.faults.add(FaultRule(kind="truncate", operation="GetObject", after_bytes=MIB + 17))
    with pytest.raises(BackendUnavailable):
        backend.read_bytes("cut.bin")


def test_read_bytes_returns_the_whole_multi_chunk_body(backend: S3Backend) -> None:
    body = bytes(range(256)) * (5 * MIB // 256 + 3)
    backend.write("whole.bin", body, overwrite=True)
    assert backend.read_bytes("whole.bin") == body
