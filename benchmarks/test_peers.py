"""Smoke checks behind ``benchmarks/peers.py``: request counts and memory bounds, never timings.

``peers.py`` times our backend against boto3, boto3's TransferManager, s3fs, obstore and minio
(on moto and ``rclone serve s3``) and prints the ratios recorded in ``benchmarks/README.md``.
Here each peer client is exercised once against the benchmark topology (so a peer whose API
moved breaks CI, not the next measurement), and our own large transfers are held to their
request counts and their peak RSS growth:

* a 64 MiB write: one ``PutObject`` for ``bytes`` (sent from the caller's buffer, growing RSS by
  at most 16 MiB) and for a seekable stream (read into one buffer of its size: at most 1.1 x
  the body); ``CreateMultipartUpload`` + 8 ``UploadPart`` + ``CompleteMultipartUpload`` for a
  stream that cannot tell its size (growing RSS by at most 64 MiB beyond the caller's own
  buffer: the bound of every stream write, whatever its size);
* ``read_bytes`` of 64 MiB: one ``GetObject``, growing RSS by at most 1.1 x the object.
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from _benchlib.env import BenchEnv
from _benchlib.memory import peak_rss
from _benchlib.peers import (
    CLIENTS,
    Endpoint,
    MiB,
    make_clients,
    raw_get,
    raw_put,
)

BUCKET = "bench-peers"
SIZE = 64 * MiB
WRITE_RSS_BOUND = {"bytes": 16 * MiB, "stream": int(1.1 * SIZE), "unsized stream": 64 * MiB}
READ_RSS_FACTOR = 1.1


@pytest.fixture(scope="module")
def endpoint(bench_env: BenchEnv) -> Endpoint:
    pytest.importorskip("psutil")
    bench_env.target.create_bucket(BUCKET)
    topology = bench_env.topology  # through the gateway, whose log counts the requests
    creds = topology.credentials
    return Endpoint("moto", topology.endpoint_url, creds.access_key, creds.secret_key, creds.region)


@pytest.fixture(scope="module")
def direct(bench_env: BenchEnv, endpoint: Endpoint) -> Endpoint:
    """The moto process itself: the in-process gateway's own buffers must not count as ours."""
    return Endpoint("moto-direct", bench_env.target.endpoint_url, *_credentials(endpoint))


def _credentials(ep: Endpoint) -> tuple[str, str, str]:
    return ep.access_key, ep.secret_key, ep.region


@pytest.fixture(scope="module")
def payload() -> bytes:
    return os.urandom(SIZE)


class _Unsized(io.RawIOBase):
    """A stream that cannot tell its size (a pipe, a socket): read as it arrives."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._source = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._source.readinto(buffer)


def _write(ours: Any, key: str, payload: bytes, source: str) -> None:
    if source == "stream":
        ours.put_stream(key, io.BytesIO(payload))
    elif source == "unsized stream":
        ours.put_stream(key, _Unsized(payload))
    else:
        ours.put(key, payload)


@pytest.mark.parametrize("source", ["bytes", "stream"])
def test_a_64_mib_write_of_known_size_is_one_put(
    endpoint: Endpoint, bench_env: BenchEnv, payload: bytes, source: str
) -> None:
    ours = make_clients(endpoint, BUCKET, ("ours",))["ours"]
    try:
        mark = bench_env.log.mark()
        _write(ours, f"big/{source}", payload, source)
        assert bench_env.log.operations(since=mark) == {"PutObject": 1}
    finally:
        ours.close()


def test_a_64_mib_unsized_stream_write_is_create_8_parts_and_complete(
    endpoint: Endpoint, bench_env: BenchEnv, payload: bytes
) -> None:
    ours = make_clients(endpoint, BUCKET, ("ours",))["ours"]
    try:
        mark = bench_env.log.mark()
        _write(ours, "big/unsized", payload, "unsized stream")
        assert bench_env.log.operations(since=mark) == {
            "CreateMultipartUpload": 1,
            "UploadPart": SIZE // (8 * MiB),
            "CompleteMultipartUpload": 1,
        }
    finally:
        ours.close()


@pytest.mark.parametrize("source", ["bytes", "stream", "unsized stream"])
def test_a_64_mib_write_grows_rss_within_its_bound(
    direct: Endpoint, payload: bytes, source: str
) -> None:
    ours = make_clients(direct, BUCKET, ("ours",))["ours"]
    try:
        ours.put("warm", b"w")  # the client and its connection pool exist before measuring
        with peak_rss() as rss:
            _write(ours, f"big/{source.replace(' ', '-')}", payload, source)
        bound = WRITE_RSS_BOUND[source]
        assert rss.growth <= bound, f"RSS grew by {rss.growth / MiB:.1f} MiB"
    finally:
        ours.close()


def test_read_bytes_of_64_mib_is_one_get(
    endpoint: Endpoint, bench_env: BenchEnv, payload: bytes
) -> None:
    bench_env.admin_client().put_object(Bucket=BUCKET, Key="big/read", Body=payload)
    ours = make_clients(endpoint, BUCKET, ("ours",))["ours"]
    try:
        mark = bench_env.log.mark()
        assert ours.get("big/read") == payload
        assert bench_env.log.operations(since=mark) == {"GetObject": 1}
    finally:
        ours.close()


def test_read_bytes_of_64_mib_holds_the_object_once(direct: Endpoint, payload: bytes) -> None:
    ours = make_clients(direct, BUCKET, ("ours",))["ours"]
    try:
        ours.put("big/read", payload)
        with peak_rss() as rss:
            data = ours.get("big/read")
        assert data == payload
        del data
        assert rss.growth <= READ_RSS_FACTOR * SIZE, f"RSS grew by {rss.growth / MiB:.1f} MiB"
    finally:
        ours.close()


@pytest.mark.parametrize("client", CLIENTS)
def test_every_peer_client_does_the_benchmark_surface(endpoint: Endpoint, client: str) -> None:
    made = make_clients(endpoint, BUCKET, (client,))
    if client not in made:
        pytest.skip(f"{client} is not installed (bench extra)")
    peer: Any = made[client]
    try:
        peer.put(f"peer/{client}/a", b"alpha")
        peer.put_stream(f"peer/{client}/b", io.BytesIO(b"beta"))
        assert peer.get(f"peer/{client}/a") == b"alpha"
        assert peer.get(f"peer/{client}/b") == b"beta"
        assert peer.exists(f"peer/{client}/a") and not peer.exists(f"peer/{client}/none")
        assert peer.count(f"peer/{client}/") == 2
    finally:
        peer.close()


def test_the_ceiling_requests_round_trip(endpoint: Endpoint) -> None:
    raw_put(endpoint, BUCKET, "peer/ceiling", b"c" * 1000)
    assert raw_get(endpoint, BUCKET, "peer/ceiling") == 1000
