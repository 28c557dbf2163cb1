"""Data safety of S3 writes against a real moto behind the harness gateway.

A write's reported outcome matches what is stored even when its answer is lost, each request
is sent once per counted attempt, and a server that never answers an upload cannot hold a call
longer than ``attempts x read_timeout``.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from remote_store_harness import FaultRule

from remote_store import AlreadyExists, BackendUnavailable, InvalidPath, RetryPolicy
from remote_store.backends import S3Backend

from .conftest import UnsizedStream

pytestmark = pytest.mark.s3

MIB = 1024 * 1024


def lost_ack(operation: str) -> FaultRule:
    """moto stores the request; the client gets a reset instead of the answer."""
    return FaultRule(kind="drop_response", operation=operation, first=1)


# -- sends are counted attempts -----------------------------------------------------------------


def test_a_reset_costs_one_request_per_attempt(
    backend_factory: Any, topology: Any, log: Any
) -> None:
    topology.faults.add(FaultRule(kind="reset", operation="PutObject"))
    backend = backend_factory(retry=RetryPolicy(max_attempts=2))
    with pytest.raises(BackendUnavailable):
        backend.write("k", b"payload")
    assert log.count(operation="PutObject") == 2  # no silent re-send below the retry policy


def test_uploads_do_not_wait_for_100_continue(backend: S3Backend, log: Any) -> None:
    backend.write("small", b"x" * 1000)
    backend.write("big", UnsizedStream(b"y" * (9 * MIB)))
    uploads = [r for r in log.records() if r.operation in ("PutObject", "UploadPart")]
    assert len(uploads) == 3
    assert all("expect" not in r.headers for r in uploads)


# -- a conditional write whose acknowledgement was lost ------------------------------------------


@pytest.mark.parametrize("attempts", [1, 3])
def test_lost_ack_of_a_conditional_put_reports_success_when_our_bytes_are_stored(
    backend_factory: Any, topology: Any, log: Any, attempts: int
) -> None:
    topology.faults.add(lost_ack("PutObject"))
    backend = backend_factory(retry=RetryPolicy(max_attempts=attempts))
    result = backend.write("claim", b"mine", overwrite=False)
    assert result.size == 4
    assert backend.read_bytes("claim") == b"mine"
    assert log.count(operation="PutObject", fault="drop_response") == 1


def test_lost_ack_of_a_conditional_put_is_already_exists_when_another_object_is_stored(
    backend_factory: Any, topology: Any
) -> None:
    backend = backend_factory(retry=RetryPolicy(max_attempts=3))
    backend.write("claim", b"theirs")
    topology.faults.add(lost_ack("PutObject"))  # the 412 answer is lost, the re-send gets 412
    with pytest.raises(AlreadyExists):
        backend.write("claim", b"mine", overwrite=False)
    assert backend.read_bytes("claim") == b"theirs"


def test_first_answer_412_is_already_exists_without_a_confirming_head(
    backend: S3Backend, log: Any
) -> None:
    backend.write("claim", b"theirs")
    mark = log.mark()
    with pytest.raises(AlreadyExists):
        backend.write("claim", b"theirs", overwrite=False)  # same bytes, still not ours
    assert log.count(operation="HeadObject", since=mark) == 0


@pytest.mark.parametrize("attempts", [1, 3])
def test_lost_ack_of_a_multipart_complete_reports_success_when_our_object_is_stored(
    backend_factory: Any, topology: Any, s3_bucket: str, attempts: int
) -> None:
    topology.faults.add(lost_ack("CompleteMultipartUpload"))
    backend = backend_factory(retry=RetryPolicy(max_attempts=attempts))
    body = bytes(range(256)) * (40 * 1024)  # 10 MiB: two parts
    result = backend.write("big.bin", UnsizedStream(body), overwrite=False)
    assert result.size == len(body)
    assert backend.read_bytes("big.bin") == body
    client = topology.boto3_client()
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


def test_lost_ack_of_an_unconditional_put_reports_success(
    backend_factory: Any, topology: Any
) -> None:
    topology.faults.add(lost_ack("PutObject"))
    backend = backend_factory(retry=RetryPolicy.disabled())
    backend.write("k", b"stored", overwrite=True)
    assert backend.read_bytes("k") == b"stored"


def test_a_put_that_never_reached_the_server_still_fails(
    backend_factory: Any, topology: Any
) -> None:
    topology.faults.add(FaultRule(kind="reset", operation="PutObject"))
    backend = backend_factory(retry=RetryPolicy.disabled())
    with pytest.raises(BackendUnavailable):
        backend.write("k", b"lost", overwrite=False)
    assert not backend.exists("k")


# -- a server that never answers an upload --------------------------------------------------------

READ_TIMEOUT = 2.0
MARGIN = 1.5


@pytest.mark.parametrize(("operation", "size"), [("PutObject", 1000), ("UploadPart", 9 * MIB)])
def test_a_stalled_upload_ends_within_attempts_times_read_timeout(
    backend_factory: Any, topology: Any, log: Any, operation: str, size: int
) -> None:
    topology.faults.add(FaultRule(kind="stall", operation=operation, stall_seconds=120))
    attempts = 2
    backend = backend_factory(
        retry=RetryPolicy(max_attempts=attempts), config_kwargs={"read_timeout": READ_TIMEOUT}
    )
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        backend.write("stalled", UnsizedStream(b"s" * size))
    elapsed = time.monotonic() - started
    assert elapsed < attempts * (READ_TIMEOUT + MARGIN)
    # Each request (each part: parts may be in flight together) was sent once per attempt.
    sends = Counter(r.query for r in log.records() if r.operation == operation)
    assert sends and set(sends.values()) == {attempts}


# -- keys AWS would refuse ----------------------------------------------------------------------


@pytest.mark.parametrize("call", ["write", "read_bytes", "exists", "delete", "list_files"])
def test_keys_over_1024_bytes_are_invalid_before_any_request(
    backend: S3Backend, log: Any, call: str
) -> None:
    path = "d/" + "\u00e9" * 512  # 2 + 1,024 bytes of UTF-8
    with pytest.raises(InvalidPath):
        if call == "write":
            backend.write(path, b"x")
        elif call == "list_files":
            list(backend.list_files(path))
        else:
            getattr(backend, call)(path)
    assert log.records() == []


def test_a_key_of_exactly_1024_bytes_is_accepted(backend: S3Backend) -> None:
    path = "k" * 1024
    backend.write(path, b"x")
    assert backend.read_bytes(path) == b"x"
