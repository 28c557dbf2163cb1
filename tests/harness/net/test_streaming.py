"""Bodies stream through the gateway: large transfers arrive intact with flat memory."""

from __future__ import annotations

import http.client
import json
import os
import ssl
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import pattern_md5, pattern_pieces

MIB = 1024 * 1024
# Generous bound: the relay holds a few 64 KiB pieces per direction; a buffered body would not fit.
MEMORY_BOUND = 16 * MIB


class PatternFile:
    """A file-like body of *size* pattern bytes that never exists in memory as a whole."""

    def __init__(self, size: int) -> None:
        self._pieces: Iterator[bytes] = pattern_pieces(size)
        self._rest = b""

    def read(self, n: int = -1) -> bytes:
        if not self._rest:
            self._rest = next(self._pieces, b"")
        data, self._rest = self._rest[:n], self._rest[n:]
        return data


def _connection(port: int, tls: bool, ca_file: Path) -> http.client.HTTPConnection:
    if tls:
        context = ssl.create_default_context(cafile=str(ca_file))
        return http.client.HTTPSConnection(
            "localhost", port, context=context, timeout=60, blocksize=65536
        )
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60, blocksize=65536)


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    yield
    tracemalloc.stop()


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_64mib_upload_with_content_length_streams(
    sink_gateway_factory, ca_file: Path, traced: None, tls: bool
) -> None:
    gw, _sink = sink_gateway_factory(tls=tls)
    size = 64 * MIB
    conn = _connection(gw.port, tls, ca_file)
    tracemalloc.reset_peak()
    conn.request("PUT", "/upload", body=PatternFile(size), headers={"Content-Length": str(size)})
    answer = json.loads(conn.getresponse().read())
    peak = tracemalloc.get_traced_memory()[1]
    conn.close()
    assert (answer["length"], answer["md5"]) == (size, pattern_md5(size))
    assert gw.log.records()[-1].bytes_in == size
    assert peak < MEMORY_BOUND, f"peak traced memory {peak / MIB:.1f} MiB"


def test_64mib_chunked_upload_with_expect_continue_streams(
    sink_gateway_factory, ca_file: Path, traced: None
) -> None:
    gw, sink = sink_gateway_factory()
    size = 64 * MIB
    conn = _connection(gw.port, False, ca_file)
    tracemalloc.reset_peak()
    conn.request(
        "PUT",
        "/upload",
        body=pattern_pieces(size),
        encode_chunked=True,
        headers={"Expect": "100-continue"},
    )
    answer = json.loads(conn.getresponse().read())
    peak = tracemalloc.get_traced_memory()[1]
    conn.close()
    assert (answer["length"], answer["md5"]) == (size, pattern_md5(size))
    assert "expect" not in sink.seen[-1]["headers"]
    assert peak < MEMORY_BOUND, f"peak traced memory {peak / MIB:.1f} MiB"


@pytest.mark.parametrize("query", ["", "?chunked=1"], ids=["content-length", "chunked"])
def test_64mib_download_streams(
    sink_gateway_factory, ca_file: Path, traced: None, query: str
) -> None:
    import hashlib

    gw, _sink = sink_gateway_factory(tls=True)
    size = 64 * MIB
    conn = _connection(gw.port, True, ca_file)
    tracemalloc.reset_peak()
    conn.request("GET", f"/blob/{size}{query}")
    response = conn.getresponse()
    digest = hashlib.md5()
    while piece := response.read(65536):
        digest.update(piece)
    peak = tracemalloc.get_traced_memory()[1]
    conn.close()
    assert digest.hexdigest() == pattern_md5(size)
    assert gw.log.records()[-1].bytes_out == size
    assert peak < MEMORY_BOUND, f"peak traced memory {peak / MIB:.1f} MiB"


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_1gib_upload_passes_through_tls_with_flat_memory(
    sink_gateway_factory, ca_file: Path
) -> None:
    # tracemalloc would slow this 4x; sample the resident set size instead.
    gw, _sink = sink_gateway_factory(tls=True)
    size = 1024 * MIB
    baseline = _rss()
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _rss())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        conn = _connection(gw.port, True, ca_file)
        conn.request(
            "PUT", "/upload", body=PatternFile(size), headers={"Content-Length": str(size)}
        )
        answer = json.loads(conn.getresponse().read())
        conn.close()
    finally:
        done.set()
        sampler.join()
    assert (answer["length"], answer["md5"]) == (size, pattern_md5(size))
    assert peak - baseline < 64 * MIB, f"RSS grew by {(peak - baseline) / MIB:.0f} MiB"
