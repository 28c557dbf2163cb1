"""Fixtures for the S3 backend tests: a real moto server over HTTP behind the harness gateway.

``backend_factory(**overrides)`` builds an ``S3Backend`` on the default plain-HTTP topology for
this test's fresh bucket, with retries disabled and short timeouts unless a test says otherwise
(failure paths must stay fast). ``log`` is the gateway's request log, emptied per test; fault
rules and latency are reset around every test that uses ``topology``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("s3fs")
pytest.importorskip("remote_store_harness")

from remote_store_harness import Latency

from remote_store.backends import S3Backend

pytestmark = pytest.mark.s3

BackendFactory = Callable[..., S3Backend]

FAST_CONFIG: dict[str, Any] = {
    "retries": {"total_max_attempts": 1},
    "connect_timeout": 5,
    "read_timeout": 20,
}


def backend_options(topology: Any, bucket: str, /, **overrides: Any) -> dict[str, Any]:
    """The topology's options for ``bucket`` with fast-failing config, then ``overrides``."""
    options: dict[str, Any] = topology.s3_options(bucket)
    options["client_options"]["config_kwargs"].update(FAST_CONFIG)
    options["client_options"].update(overrides.pop("client_options_extra", {}))
    extra_config = overrides.pop("config_kwargs", None)
    if extra_config:
        options["client_options"]["config_kwargs"].update(extra_config)
    options.update(overrides)
    return options


@pytest.fixture
def topology(s3_topology: Any) -> Iterator[Any]:
    """The default plain-HTTP topology with no faults and no latency before and after the test."""
    s3_topology.faults.clear()
    s3_topology.set_latency(Latency())
    yield s3_topology
    s3_topology.faults.clear()
    s3_topology.set_latency(Latency())


@pytest.fixture
def log(topology: Any, request_log: Any) -> Any:
    return request_log


@pytest.fixture
def backend_factory(topology: Any, s3_bucket: str) -> Iterator[BackendFactory]:
    made: list[S3Backend] = []

    def factory(**overrides: Any) -> S3Backend:
        backend = S3Backend(**backend_options(topology, s3_bucket, **overrides))
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


@pytest.fixture
def backend(backend_factory: BackendFactory) -> S3Backend:
    return backend_factory()


class UnsizedStream(io.RawIOBase):
    """A readable stream that cannot tell its size (a pipe, a socket, a generator's adapter).

    A seekable stream of at most 64 MiB is one ``PutObject`` (its size is known up front);
    tests that need a multipart upload from a stream of that size write one of these.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._source = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._source.readinto(buffer)
