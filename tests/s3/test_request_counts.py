"""Request counts per operation, read from the harness gateway's log (counts, never timings)."""

from __future__ import annotations

import io
import math
import time
from typing import Any

import pytest
from remote_store_harness import FaultRule

from remote_store import BackendUnavailable, PermissionDenied, RetryPolicy, Store
from remote_store.backends import S3Backend

from .conftest import UnsizedStream

pytestmark = pytest.mark.s3


def ops(log: Any) -> dict[str, int]:
    return dict(log.operations())


def test_write_of_small_bytes_is_one_put(backend: S3Backend, log: Any) -> None:
    backend.write("a/b.txt", b"payload", overwrite=True)
    assert ops(log) == {"PutObject": 1}


def test_write_with_overwrite_false_is_one_conditional_put(backend: S3Backend, log: Any) -> None:
    backend.write("a/b.txt", b"payload")
    assert ops(log) == {"PutObject": 1}
    assert log.records()[0].headers.get("if-none-match") == "*"


def test_overwrite_true_sends_no_condition(backend: S3Backend, log: Any) -> None:
    backend.write("x", b"1", overwrite=True)
    assert "if-none-match" not in log.records()[0].headers


def test_small_stream_write_is_one_put(backend: S3Backend, log: Any) -> None:
    backend.write("s", io.BytesIO(b"x" * 1000))
    assert ops(log) == {"PutObject": 1}


MIB = 1024 * 1024


@pytest.mark.parametrize("source", ["bytes", "stream"])
def test_a_body_of_exactly_one_part_is_one_put(backend: S3Backend, log: Any, source: str) -> None:
    body = b"p" * (8 * MIB)
    backend.write("one", body if source == "bytes" else io.BytesIO(body))
    assert ops(log) == {"PutObject": 1}


def test_a_bytes_body_of_up_to_64_mib_is_one_put(backend: S3Backend, log: Any) -> None:
    backend.write("one", b"q" * (64 * MIB))
    assert ops(log) == {"PutObject": 1}


def test_a_seekable_stream_of_up_to_64_mib_is_one_put(backend: S3Backend, log: Any) -> None:
    body = bytes(range(256)) * (64 * MIB // 256)
    backend.write("one", io.BytesIO(body))
    assert ops(log) == {"PutObject": 1}
    assert backend.read_bytes("one") == body


def test_a_seekable_stream_is_sent_from_its_position_not_its_start(
    backend: S3Backend, log: Any
) -> None:
    body = bytes(range(256)) * (40 * MIB // 256)
    stream = io.BytesIO(body)
    stream.seek(1000)
    result = backend.write("rest", stream)
    assert ops(log) == {"PutObject": 1}
    assert result.size == len(body) - 1000
    assert backend.read_bytes("rest") == body[1000:]


def test_a_stream_holding_more_than_its_seek_end_said_is_uploaded_whole(
    backend: S3Backend, log: Any
) -> None:
    """A growing file: the buffer sized for the announced body becomes the first part."""
    announced, actual = 12 * MIB, 30 * MIB
    body = b"".join(bytes([i]) * MIB for i in range(30))

    class Growing(io.RawIOBase):
        def __init__(self) -> None:
            self.sent = 0

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return True

        def tell(self) -> int:
            return self.sent

        def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
            return announced if whence == io.SEEK_END else offset

        def readinto(self, buffer: Any) -> int:
            n = min(len(buffer), actual - self.sent)
            memoryview(buffer)[:n] = body[self.sent : self.sent + n]
            self.sent += n
            return n

    result = backend.write("grown", Growing())
    assert result.size == actual
    assert ops(log) == {
        "CreateMultipartUpload": 1,
        "UploadPart": 4,  # 12 MiB (the announced size), then 8, 8 and 2 MiB
        "CompleteMultipartUpload": 1,
    }
    assert backend.read_bytes("grown") == body


@pytest.mark.parametrize(
    ("source", "size"),
    [
        ("bytes", 64 * MIB + 256),
        ("memoryview", 64 * MIB + 256),
        ("seekable stream", 64 * MIB + 256),
        ("unsized stream", 33 * MIB),
    ],
)
def test_a_large_write_is_create_one_upload_part_per_8_mib_and_complete(
    backend: S3Backend, log: Any, source: str, size: int
) -> None:
    body = bytes(range(256)) * (size // 256)
    content: Any = {
        "bytes": body,
        "memoryview": memoryview(body),
        "seekable stream": io.BytesIO(body),
        "unsized stream": UnsizedStream(body),
    }[source]
    result = backend.write("big", content)
    assert result.size == len(body)
    assert ops(log) == {
        "CreateMultipartUpload": 1,
        "UploadPart": math.ceil(len(body) / (8 * MIB)),
        "CompleteMultipartUpload": 1,
    }
    assert backend.read_bytes("big") == body


def test_parts_of_a_large_write_are_in_flight_together(
    backend_factory: Any, topology: Any, log: Any
) -> None:
    stall = 2.0
    # The first part's first attempt hangs; botocore's second attempt re-sends it once the
    # stall closes it.
    topology.faults.add(
        FaultRule(kind="stall", operation="UploadPart", nth={1}, stall_seconds=stall)
    )
    backend = backend_factory(retry=RetryPolicy(max_attempts=2))
    backend.write("big", UnsizedStream(b"z" * (32 * MIB + 1)))
    parts = [r.started_at for r in log.records() if r.operation == "UploadPart"]
    assert len(parts) == 6  # 5 parts + the re-send of the stalled one
    # Parts 2-4 left while part 1 was still unanswered (sequential parts would wait for it).
    assert sorted(parts)[3] - parts[0] < stall


def test_conditional_writes_off_is_head_then_put(backend_factory: Any, log: Any) -> None:
    backend = backend_factory(conditional_writes=False)
    backend.write("k", b"v")
    assert [r.operation for r in log.records()] == ["HeadObject", "PutObject"]
    assert "if-none-match" not in log.records()[1].headers


def test_read_bytes_is_one_get(backend: S3Backend, log: Any) -> None:
    backend.write("k", b"v" * 100)
    mark = log.mark()
    assert backend.read_bytes("k") == b"v" * 100
    assert log.operations(since=mark) == {"GetObject": 1}


def test_sequential_read_of_a_stream_is_one_get(backend: S3Backend, log: Any) -> None:
    data = bytes(range(256)) * 4000
    backend.write("k", data)
    mark = log.mark()
    with backend.read("k") as stream:
        assert stream.read() == data
    assert log.operations(since=mark) == {"GetObject": 1}


def test_get_file_info_is_one_head(backend: S3Backend, log: Any) -> None:
    backend.write("k", b"v")
    mark = log.mark()
    backend.get_file_info("k")
    assert log.operations(since=mark) == {"HeadObject": 1}


def test_recursive_listing_costs_one_request_per_thousand_objects(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    n = 2345
    topology.target.populate(s3_bucket, [(f"data/d{i % 7}/sub{i % 3}/f{i}", 3) for i in range(n)])
    files = list(backend.list_files("data", recursive=True))
    assert len(files) == n
    assert ops(log) == {"ListObjectsV2": math.ceil(n / 1000)}
    assert all("delimiter" not in r.query for r in log.records())


def test_recursive_listing_yields_the_first_page_while_the_second_is_on_the_wire(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    stall = 2.0
    topology.target.populate(s3_bucket, [(f"p/{i:05d}", 1) for i in range(2500)])
    topology.faults.add(
        FaultRule(kind="slow_headers", operation="ListObjectsV2", nth=[2], stall_seconds=stall)
    )
    stream = backend.list_files("p", recursive=True)
    first = next(stream)
    yielded_at = time.time()
    assert first.path.parts[0] == "p"
    deadline = time.monotonic() + stall + 10
    while log.count(operation="ListObjectsV2") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the gateway logs a request once it has answered it
    second = [r for r in log.records() if r.operation == "ListObjectsV2"][1]
    # Requested while we held only the first file, and that file reached us before the
    # second page's answer could have (the gateway held it back for `stall` seconds).
    assert yielded_at < second.started_at + stall
    assert sum(1 for _ in stream) == 2499
    assert ops(log) == {"ListObjectsV2": 3}


def test_recursive_listing_is_never_more_than_one_page_ahead_of_its_consumer(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [(f"p/{i:05d}", 1) for i in range(3500)])
    stream = backend.list_files("p", recursive=True)
    assert len([next(stream) for _ in range(1000)]) == 1000  # the whole first page, no more
    deadline = time.monotonic() + 10
    while log.count(operation="ListObjectsV2") < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # a third request, had one been sent, would have been answered by now
    assert ops(log) == {"ListObjectsV2": 2}
    assert sum(1 for _ in stream) == 2500
    assert ops(log) == {"ListObjectsV2": 4}


def test_a_listing_abandoned_after_its_first_file_costs_at_most_one_more_request(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    stall = 0.5  # the request ahead, if it left before the close, is logged after this
    topology.target.populate(s3_bucket, [(f"p/{i:05d}", 1) for i in range(3500)])
    topology.faults.add(
        FaultRule(kind="stall", operation="ListObjectsV2", nth=[2, 3], stall_seconds=stall)
    )
    stream = backend.list_files("p", recursive=True)
    next(stream)
    stream.close()
    time.sleep(stall + 0.5)
    assert 1 <= log.count(operation="ListObjectsV2") <= 2
    assert backend.is_file("p/00000")  # the abandoned request left the client usable


def test_a_listing_page_whose_200_body_is_not_xml_is_sent_again(
    backend_factory: Any, topology: Any, s3_bucket: str, log: Any
) -> None:
    """botocore's 200-with-an-error check still holds with the single-parse listing parser."""
    topology.target.populate(s3_bucket, [(f"c/{i}", 1) for i in range(3)])
    topology.faults.add(
        FaultRule(kind="corrupt", operation="ListObjectsV2", nth=[1], after_bytes=1)
    )
    backend = backend_factory(retry=RetryPolicy(max_attempts=2))
    assert sorted(f.name for f in backend.list_files("c", recursive=True)) == ["0", "1", "2"]
    assert ops(log) == {"ListObjectsV2": 2}
    assert log.records()[0].fault.startswith("corrupt")


@pytest.mark.parametrize("children", [5, 1000, 1001, 2100])
def test_shallow_listing_costs_one_delimiter_request_per_thousand_children(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any, children: int
) -> None:
    half = children // 2
    items = [(f"top/f{i}", 1) for i in range(half)]
    # Folders with many objects each count once: the cost follows children, not objects.
    items += [(f"top/d{i}/x{j}", 1) for i in range(children - half) for j in range(3)]
    topology.target.populate(s3_bucket, items)
    entries = list(backend.iter_children("top"))
    assert len(entries) == children
    assert ops(log) == {"ListObjectsV2": math.ceil(children / 1000)}
    assert all("delimiter=%2F" in r.query for r in log.records())


def test_max_depth_zero_is_one_delimiter_listing(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [("t/a", 1), ("t/b/c", 1), ("t/b/d/e", 1)])
    store = Store(backend)
    assert [str(f.path) for f in store.list_files("t", max_depth=0)] == ["t/a"]
    assert ops(log) == {"ListObjectsV2": 1}
    assert "delimiter=%2F" in log.records()[0].query


def test_max_depth_is_one_flat_stream_filtered_client_side(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [("t/a", 1), ("t/b/c", 1), ("t/b/d/e", 1)])
    store = Store(backend)
    assert sorted(str(f.path) for f in store.list_files("t", max_depth=1)) == ["t/a", "t/b/c"]
    assert ops(log) == {"ListObjectsV2": 1}
    assert "delimiter" not in log.records()[0].query


def test_glob_pushes_its_literal_prefix_into_the_listing(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(
        s3_bucket, [("logs/2024-01.gz", 1), ("logs/2024-02.txt", 1), ("logs/2023-12.gz", 1)]
    )
    assert [str(f.path) for f in backend.glob("logs/2024-*.gz")] == ["logs/2024-01.gz"]
    assert ops(log) == {"ListObjectsV2": 1}
    assert "prefix=logs%2F2024-" in log.records()[0].query


def test_recursive_glob_is_one_flat_stream(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(
        s3_bucket, [(f"g/{i % 10}/{j}/f.csv", 1) for i in range(10) for j in range(5)]
    )
    assert len(list(backend.glob("g/**/*.csv"))) == 50
    assert ops(log) == {"ListObjectsV2": 1}
    assert "delimiter" not in log.records()[0].query


def test_get_folder_info_is_one_flat_stream(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [(f"f/{i % 20}/{i}", 2) for i in range(1500)])
    info = backend.get_folder_info("f")
    assert (info.file_count, info.total_size) == (1500, 3000)
    assert ops(log) == {"ListObjectsV2": 2}


def test_move_with_overwrite_is_copy_then_delete(backend: S3Backend, log: Any) -> None:
    backend.write("src", b"v")
    mark = log.mark()
    backend.move("src", "dst", overwrite=True)
    assert [r.operation for r in log.since(mark)] == ["CopyObject", "DeleteObject"]


def test_move_without_overwrite_checks_the_destination_first(backend: S3Backend, log: Any) -> None:
    backend.write("src", b"v")
    mark = log.mark()
    backend.move("src", "dst")
    assert [r.operation for r in log.since(mark)] == ["HeadObject", "CopyObject", "DeleteObject"]


def test_copy_is_server_side(backend: S3Backend, log: Any) -> None:
    backend.write("src", b"v" * 10_000)
    mark = log.mark()
    backend.copy("src", "dst", overwrite=True)
    records = log.since(mark)
    assert [r.operation for r in records] == ["CopyObject"]
    assert records[0].bytes_in < 1000  # no payload went through the client


def test_delete_is_head_then_delete(backend: S3Backend, log: Any) -> None:
    backend.write("k", b"v")
    mark = log.mark()
    backend.delete("k")
    assert [r.operation for r in log.since(mark)] == ["HeadObject", "DeleteObject"]


def test_recursive_delete_folder_batches_deletes(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [(f"z/{i}", 1) for i in range(1200)])
    backend.delete_folder("z", recursive=True)
    assert ops(log) == {"ListObjectsV2": 2, "DeleteObjects": 2}
    assert not backend.exists("z")


def test_check_health_is_one_head_bucket(backend: S3Backend, log: Any) -> None:
    backend.check_health()
    assert ops(log) == {"HeadBucket": 1}


def test_ancestor_walk_is_one_head_per_slash_aligned_ancestor(
    backend_factory: Any, log: Any
) -> None:
    backend = backend_factory(reject_write_under_file_ancestor=True)
    backend.write("a/b/c/d.txt", b"v")
    assert [r.operation for r in log.records()] == ["HeadObject"] * 3 + ["PutObject"]


@pytest.mark.parametrize(
    ("stored", "answer"),
    [
        ([], False),
        (["p"], True),
        (["p/child"], True),
        (["p/"], True),  # a directory marker is a folder (IO-5)
        (["p", "p!x", "p-1"], True),  # the file sorts before its siblings
        (["a/p", "p/q/r"], True),
    ],
)
def test_exists_is_one_list_when_no_sibling_sorts_first(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any, stored: list[str], answer: bool
) -> None:
    topology.target.populate(s3_bucket, [(key, b"v") for key in stored])
    mark = log.mark()
    assert backend.exists("p") is answer
    assert log.operations(since=mark) == {"ListObjectsV2": 1}


@pytest.mark.parametrize(
    ("stored", "answer"),
    [
        (["a-1", "a!x"], False),
        (["a-1", "a/b"], True),
        (["a.txt", "a/"], True),
        (["aq", "a0"], False),  # not inferred from sort order: directory buckets do not sort
    ],
)
def test_exists_asks_both_questions_when_a_sibling_sorts_first(
    backend: S3Backend, topology: Any, s3_bucket: str, log: Any, stored: list[str], answer: bool
) -> None:
    topology.target.populate(s3_bucket, [(key, b"v") for key in stored])
    mark = log.mark()
    assert backend.exists("a") is answer
    assert log.operations(since=mark) == {"ListObjectsV2": 2, "HeadObject": 1}


def test_exists_on_a_miss_sends_no_head(backend_factory: Any, topology: Any, log: Any) -> None:
    topology.faults.add(FaultRule(kind="stall", operation="HeadObject", stall_seconds=30.0))
    backend = backend_factory(retry=RetryPolicy(max_attempts=1))
    assert backend.exists("p") is False  # a HEAD would have stalled far past the read timeout
    assert ops(log) == {"ListObjectsV2": 1}


def test_exists_fallback_sends_its_list_while_the_head_is_still_unanswered(
    backend_factory: Any, topology: Any, s3_bucket: str, log: Any
) -> None:
    topology.target.populate(s3_bucket, [("p-1", b"v")])
    stall = 2.0
    topology.faults.add(FaultRule(kind="stall", operation="HeadObject", stall_seconds=stall))
    backend = backend_factory(retry=RetryPolicy(max_attempts=1))
    with pytest.raises(BackendUnavailable):
        backend.exists("p")  # the HEAD never answers, so only a concurrent LIST was sent
    heads = [r.started_at for r in log.records() if r.operation == "HeadObject"]
    lists = [r.started_at for r in log.records() if r.operation == "ListObjectsV2"]
    assert len(lists) == 2
    assert lists[1] - heads[0] < stall


@pytest.mark.parametrize(("stored", "answer"), [(["p"], True), ([], None)])
def test_exists_where_listing_is_denied_still_finds_a_file_by_head(
    backend: S3Backend,
    topology: Any,
    s3_bucket: str,
    log: Any,
    stored: list[str],
    answer: bool | None,
) -> None:
    topology.target.populate(s3_bucket, [(key, b"v") for key in stored])
    topology.faults.add(
        FaultRule(kind="error", operation="ListObjectsV2", status=403, code="AccessDenied")
    )
    if answer is None:
        with pytest.raises(PermissionDenied):
            backend.exists("p")
    else:
        assert backend.exists("p") is answer


def test_ancestor_walk_sends_every_head_before_any_answers(
    backend_factory: Any, topology: Any, log: Any
) -> None:
    stall = 2.0
    topology.faults.add(FaultRule(kind="stall", operation="HeadObject", stall_seconds=stall))
    backend = backend_factory(
        reject_write_under_file_ancestor=True, retry=RetryPolicy(max_attempts=1)
    )
    backend.write("a/b/c/d.txt", b"v")  # failing HEADs count as "not a file" (fail-open)
    first_sent: dict[str, float] = {}
    for record in log.records():
        if record.operation == "HeadObject":
            first_sent.setdefault(record.path, record.started_at)
    assert len(first_sent) == 3
    assert max(first_sent.values()) - min(first_sent.values()) < stall


def test_ancestor_walk_costs_nothing_without_a_slash(backend_factory: Any, log: Any) -> None:
    backend = backend_factory(reject_write_under_file_ancestor=True)
    backend.write("top.txt", b"v")
    assert ops(log) == {"PutObject": 1}


def test_construction_makes_no_request(backend_factory: Any, log: Any) -> None:
    backend_factory()
    assert len(log) == 0
