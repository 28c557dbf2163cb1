"""Scenario 4: listing staleness with several writers (S3 backend page, "Directory-listing
cache").

A reader lists a prefix, checks ``exists`` and ``get_file_info``; then *another writer* -- a
separate process with its own backend, or a second ``Store`` instance in this process -- adds,
deletes or overwrites an object; then the reader looks again.

- Default (``use_listings_cache`` off): the reader's next look is the bucket's current state,
  and the gateway log shows the fresh ``ListObjectsV2``.
- ``use_listings_cache=True``: the page says the prefix's listing is then served from memory,
  stale, with no request at all (zero ``ListObjectsV2`` in the gateway log). ``exists`` and
  ``get_file_info`` are single-object requests and stay fresh.
- ``ext.cache``: stale (no requests) until the TTL passes or ``invalidate()`` is called, then
  fresh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness.pytest_plugin import scrubbed_environ
from scenario_support import backend_kwargs, make_store, unique_bucket

SCENARIO = "listing-cache"

pytestmark = pytest.mark.usefixtures("require_s3")

WRITERS = ["process", "store"]
CHANGES = ["new", "delete", "overwrite"]
TARGET = {"new": "new.txt", "delete": "old.txt", "overwrite": "old.txt"}


class ProcessWriter:
    """The writer in another process (``_writer_process.py``), one per module."""

    def __init__(self, options: dict[str, Any]) -> None:
        env = scrubbed_environ()
        script = Path(__file__).with_name("_writer_process.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._expect_ok(self._reply())
        self.write("warm-up.txt", b"client created")  # the first request builds the client

    def _reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            assert self.proc.stderr is not None
            raise RuntimeError(f"writer process died: {self.proc.stderr.read()[-2000:]}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    @staticmethod
    def _expect_ok(reply: dict[str, Any]) -> None:
        assert reply.get("ok"), f"the other writer failed: {reply.get('error')}"

    def _send(self, **command: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        self._expect_ok(self._reply())

    def write(self, path: str, data: bytes) -> None:
        self._send(op="write", path=path, data=data.decode())

    def delete(self, path: str) -> None:
        self._send(op="delete", path=path)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class StoreWriter:
    """The writer as a second ``Store`` (own backend, own client) in this process."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.store = make_store(options)
        self.write("warm-up.txt", b"client created")  # the first request builds the client

    def write(self, path: str, data: bytes) -> None:
        self.store.write(path, data, overwrite=True)

    def delete(self, path: str) -> None:
        self.store.delete(path)

    def close(self) -> None:
        self.store.close()


@pytest.fixture(scope="module")
def shared(topology: Any) -> tuple[Any, str]:
    topo = topology()
    bucket = unique_bucket("lc")
    topo.create_bucket(bucket)
    return topo, bucket


@pytest.fixture(scope="module")
def process_writer(shared: tuple[Any, str]) -> Iterator[ProcessWriter]:
    topo, bucket = shared
    writer = ProcessWriter(backend_kwargs(topo, bucket))
    yield writer
    writer.close()


@pytest.fixture
def writer(request: pytest.FixtureRequest, shared: tuple[Any, str]) -> Iterator[Any]:
    kind = request.param
    if kind == "process":
        yield request.getfixturevalue("process_writer")
        return
    topo, bucket = shared
    other = StoreWriter(backend_kwargs(topo, bucket))
    yield other
    other.close()


_prefix_counter = iter(range(1, 1_000_000))


@pytest.fixture
def prefix(shared: tuple[Any, str]) -> str:
    """A fresh prefix holding ``keep.txt`` and ``old.txt`` (seeded outside the gateway)."""
    topo, bucket = shared
    name = f"p{next(_prefix_counter)}-{os.getpid()}"
    topo.target.populate(bucket, [(f"{name}/keep.txt", b"keep"), (f"{name}/old.txt", b"old")])
    return name


def _apply(writer: Any, change: str, prefix: str) -> None:
    if change == "new":
        writer.write(f"{prefix}/new.txt", b"brand new object")
    elif change == "delete":
        writer.delete(f"{prefix}/old.txt")
    else:
        writer.write(f"{prefix}/old.txt", b"overwritten, and longer")


def _truth(change: str) -> dict[str, Any]:
    """What the bucket holds after ``change``: listing (name, size), exists, size of target."""
    if change == "new":
        listing = [("keep.txt", 4), ("new.txt", 16), ("old.txt", 3)]
        return {"listing": listing, "exists": True, "size": 16}
    if change == "delete":
        return {"listing": [("keep.txt", 4)], "exists": False, "size": None}
    return {"listing": [("keep.txt", 4), ("old.txt", 23)], "exists": True, "size": 23}


def _view(store: Any, prefix: str, target: str) -> dict[str, Any]:
    from remote_store import NotFound

    listing = sorted((f.name, f.size) for f in store.list_files(prefix))
    path = f"{prefix}/{target}"
    exists = store.exists(path)
    try:
        size = store.get_file_info(path).size
    except NotFound:
        size = None
    return {"listing": listing, "exists": exists, "size": size}


def _list_requests(topo: Any, mark: int) -> int:
    return sum(1 for r in topo.request_log.since(mark) if r.operation.startswith("ListObjects"))


# ------------------------------------------------------------------------------ default


@pytest.mark.parametrize("writer", WRITERS, indirect=True)
@pytest.mark.parametrize("change", CHANGES)
def test_default_reader_sees_the_other_writers_change_at_once(
    change: str, writer: Any, shared: tuple[Any, str], prefix: str, scenario_case: Any
) -> None:
    topo, bucket = shared
    target = TARGET[change]
    truth = _truth(change)
    scenario_case.expect(f"fresh: {truth}; >=1 ListObjectsV2 for the second look")
    with make_store(backend_kwargs(topo, bucket)) as reader:
        _view(reader, prefix, target)
        _apply(writer, change, prefix)
        mark = topo.request_log.mark()
        after = _view(reader, prefix, target)
    lists = _list_requests(topo, mark)
    scenario_case.observe(f"{after}; ListObjectsV2 requests: {lists}")
    assert after == truth, f"the reader saw a stale bucket: {after}, bucket holds {truth}"
    assert lists >= 1, "the second listing made no request"


# ------------------------------------------------------------ use_listings_cache=True


@pytest.mark.parametrize("writer", WRITERS, indirect=True)
@pytest.mark.parametrize("change", CHANGES)
def test_use_listings_cache_true_serves_a_stale_listing_without_requests(
    change: str, writer: Any, shared: tuple[Any, str], prefix: str, scenario_case: Any
) -> None:
    topo, bucket = shared
    target = TARGET[change]
    options = backend_kwargs(topo, bucket)
    options["client_options"]["use_listings_cache"] = True
    with make_store(options) as reader:
        before = _view(reader, prefix, target)
        scenario_case.expect(f"stale listing {before['listing']}; 0 ListObjectsV2 requests")
        _apply(writer, change, prefix)
        mark = topo.request_log.mark()
        listing = sorted((f.name, f.size) for f in reader.list_files(prefix))
        lists = _list_requests(topo, mark)
        rest = _view(reader, prefix, target)
    scenario_case.observe(
        f"listing {listing}; ListObjectsV2 requests: {lists}",
        exists_after=rest["exists"],
        size_after=rest["size"],
        truth=_truth(change),
    )
    assert (listing, lists) == (before["listing"], 0), (
        "use_listings_cache=True should serve the earlier listing from memory with no request "
        f"(S3 backend page); the reader saw {listing} after {lists} ListObjectsV2 request(s)"
    )
    # exists / get_file_info are single-object requests, not answered from the listing cache
    # (plain s3fs answers them from it, stale): they stay fresh.
    truth = _truth(change)
    assert (rest["exists"], rest["size"]) == (truth["exists"], truth["size"]), (
        f"exists/get_file_info went stale with the listing cache: {rest}, bucket holds {truth}"
    )


# ---------------------------------------------------------------------------- ext.cache


@pytest.mark.parametrize("writer", WRITERS, indirect=True)
@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("refresh", ["invalidate", "ttl"])
def test_ext_cache_is_stale_until_ttl_or_invalidate(
    refresh: str,
    change: str,
    writer: Any,
    shared: tuple[Any, str],
    prefix: str,
    scenario_case: Any,
) -> None:
    from remote_store.ext.cache import cache

    topo, bucket = shared
    target = TARGET[change]
    ttl = 1.0
    scenario_case.expect(f"stale with 0 requests, then fresh after {refresh}", ttl=ttl)
    with make_store(backend_kwargs(topo, bucket)) as inner:
        inner.exists("warm-up.txt")  # build the client outside the TTL window
        reader = cache(inner, ttl=ttl if refresh == "ttl" else 300.0)
        primed_at = time.monotonic()
        before = _view(reader, prefix, target)
        primed_until = time.monotonic()
        _apply(writer, change, prefix)
        mark = topo.request_log.mark()
        stale = _view(reader, prefix, target)
        stale_ops = [r.operation for r in topo.request_log.since(mark)]
        assert time.monotonic() - primed_at < ttl, "too slow to observe the cached state"
        if refresh == "invalidate":
            reader.invalidate(f"{prefix}/{target}")
        else:
            time.sleep(max(0.0, primed_until + ttl - time.monotonic()) + 0.05)
        mark = topo.request_log.mark()
        fresh = _view(reader, prefix, target)
        fresh_lists = _list_requests(topo, mark)
    # A miss is never cached: get_file_info of the not-yet-existing object raised NotFound
    # while priming, so after the other writer created it that one call is fresh (one HEAD).
    expected_stale = dict(before)
    expected_ops: list[str] = []
    if change == "new":
        expected_stale["size"] = _truth(change)["size"]
        expected_ops = ["HeadObject"]
    scenario_case.observe(
        f"cached: {stale} (requests {stale_ops}); after {refresh}: {fresh} "
        f"({fresh_lists} ListObjectsV2)"
    )
    assert (stale, stale_ops) == (expected_stale, expected_ops), (
        f"ext.cache should serve the cached view; saw {stale} after requests {stale_ops}"
    )
    assert fresh == _truth(change), f"after {refresh} the reader still saw {fresh}"
    assert fresh_lists >= 1
