"""Racing ``overwrite=False`` writers: conditional writes are race-free; the fallback is not."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from remote_store_harness import FaultRule, Latency

from remote_store import AlreadyExists
from remote_store.backends import S3Backend

pytestmark = pytest.mark.s3

WRITERS = 32


def race(backend: S3Backend, path: str) -> tuple[list[int], list[BaseException]]:
    """All writers start together; each writes its own index. Returns winners and failures."""
    barrier = threading.Barrier(WRITERS)

    def attempt(index: int) -> int:
        barrier.wait()
        backend.write(path, f"writer-{index}".encode())
        return index

    winners: list[int] = []
    failures: list[BaseException] = []
    with ThreadPoolExecutor(WRITERS) as pool:
        futures = [pool.submit(attempt, i) for i in range(WRITERS)]
        for future in futures:
            try:
                winners.append(future.result())
            except BaseException as exc:
                failures.append(exc)
    return winners, failures


@pytest.fixture
def wide_backend(backend_factory: Any) -> Any:
    """Enough pooled connections that every writer is in flight at once."""

    def make(**overrides: Any) -> S3Backend:
        return backend_factory(config_kwargs={"max_pool_connections": WRITERS}, **overrides)

    return make


def test_exactly_one_of_32_racing_conditional_writers_wins(
    wide_backend: Any, topology: Any, log: Any
) -> None:
    # Latency makes the requests overlap at the server instead of arriving one by one.
    topology.set_latency(Latency(fixed_ms=100))
    backend = wide_backend()
    winners, failures = race(backend, "contested")
    assert len(winners) == 1
    assert len(failures) == WRITERS - 1
    assert all(isinstance(f, AlreadyExists) for f in failures)
    assert backend.read_bytes("contested") == f"writer-{winners[0]}".encode()
    assert log.count(operation="PutObject") == WRITERS


def test_without_conditional_writes_racing_writers_can_all_believe_they_won(
    wide_backend: Any, topology: Any
) -> None:
    """The documented TOCTOU race of ``conditional_writes=False`` (HEAD, then PUT).

    The gateway strips ``If-None-Match`` (a service that ignores the header) and delays every
    request by 300 ms; the writers start together, so every HEAD reaches the server before any
    PUT does. Every writer sees "absent", every PUT succeeds, and all but the last are
    silently overwritten.
    """
    topology.faults.add(FaultRule(kind="strip_header", header="if-none-match"))
    topology.set_latency(Latency(fixed_ms=300))
    backend = wide_backend(conditional_writes=False)
    winners, failures = race(backend, "contested")
    assert failures == []
    assert len(winners) > 1
    stored = backend.read_bytes("contested")
    assert stored in {f"writer-{i}".encode() for i in winners}


def test_a_service_ignoring_if_none_match_silently_overwrites(
    backend: S3Backend, topology: Any
) -> None:
    """Why ``conditional_writes`` is a switch: with the header stripped, nothing protects."""
    backend.write("k", b"first")
    topology.faults.add(FaultRule(kind="strip_header", header="if-none-match"))
    backend.write("k", b"second")  # no AlreadyExists: the service never saw the condition
    assert backend.read_bytes("k") == b"second"
