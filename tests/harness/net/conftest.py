"""Fixtures for the network half of the harness: real sockets on loopback only.

Upstreams: an in-thread moto server (S3 semantics) and a tiny "sink" HTTP/1.1 server that
answers with what it received (MD5, length, headers, client port), for streaming and framing
tests where moto would only get in the way.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import Gateway, HarnessCA, ServerCert
from remote_store_harness.pytest_plugin import scrub_environment


@pytest.fixture(autouse=True)
def _net_scrubbed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing inherited decides a TLS or proxy outcome here; only what a test sets."""
    scrub_environment(monkeypatch)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "harness-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "harness-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


# -- TLS material ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def net_ca() -> HarnessCA:
    return HarnessCA.create("harness-net test CA")


@pytest.fixture(scope="session")
def wrong_ca() -> HarnessCA:
    return HarnessCA.create("an unrelated CA")


@pytest.fixture(scope="session")
def server_cert(net_ca: HarnessCA) -> ServerCert:
    return net_ca.issue_server_cert()


@pytest.fixture(scope="session")
def ca_file(net_ca: HarnessCA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return net_ca.write_ca(tmp_path_factory.mktemp("ca") / "ca.pem")


@pytest.fixture(scope="session")
def wrong_ca_file(wrong_ca: HarnessCA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wrong_ca.write_ca(tmp_path_factory.mktemp("wrong-ca") / "ca.pem")


# -- upstreams ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """An in-thread moto server (shared in-process state: use unique bucket names)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    inner = server._server
    if inner is not None:
        inner.server_close()


class Sink:
    """A threaded HTTP/1.1 upstream for framing tests.

    ``PUT``/``POST`` any path: reads the body (Content-Length or chunked) and answers JSON
    ``{"md5", "length", "headers", "peer_port"}``. ``GET /blob/<n>`` streams ``n`` pattern bytes
    (``?chunked=1`` for chunked framing). Every request's (method, path, headers, peer port) is
    kept in ``seen``.
    """

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _note(self) -> dict[str, str]:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with lock:
                    sink.seen.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": headers,
                            "peer_port": self.client_address[1],
                        }
                    )
                return headers

            def _read_body(self, headers: dict[str, str]) -> tuple[str, int]:
                digest = hashlib.md5()
                total = 0
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            break
                        remaining = size
                        while remaining:
                            data = self.rfile.read(min(remaining, 65536))
                            digest.update(data)
                            remaining -= len(data)
                            total += len(data)
                        self.rfile.readline()
                else:
                    remaining = int(headers.get("content-length", "0"))
                    while remaining:
                        data = self.rfile.read(min(remaining, 65536))
                        if not data:
                            break
                        digest.update(data)
                        remaining -= len(data)
                        total += len(data)
                return digest.hexdigest(), total

            def do_PUT(self) -> None:
                headers = self._note()
                md5, length = self._read_body(headers)
                body = json.dumps(
                    {
                        "md5": md5,
                        "length": length,
                        "headers": headers,
                        "peer_port": self.client_address[1],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT

            def do_GET(self) -> None:
                self._note()
                path, _, query = self.path.partition("?")
                if not path.startswith("/blob/"):
                    body = json.dumps({"peer_port": self.client_address[1]}).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                size = int(path.rsplit("/", 1)[1])
                chunked = "chunked=1" in query
                self.send_response(200)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(size))
                self.end_headers()
                for piece in pattern_pieces(size):
                    if chunked:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    else:
                        self.wfile.write(piece)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Sink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


_PATTERN = hashlib.sha256(b"harness").digest() * 2048  # 64 KiB, not trivially compressible


def pattern_pieces(size: int, piece: int = 65536) -> Iterator[bytes]:
    """*size* deterministic bytes in pieces (cheap to produce, so memory stays flat)."""
    offset = 0
    while offset < size:
        n = min(piece, size - offset)
        yield _PATTERN[:n]
        offset += n


def pattern_md5(size: int) -> str:
    digest = hashlib.md5()
    for piece in pattern_pieces(size):
        digest.update(piece)
    return digest.hexdigest()


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink().start()
    yield server
    server.stop()


# -- gateways and clients ----------------------------------------------------------------------
@pytest.fixture
def gateway(moto_url: str) -> Iterator[Gateway]:
    with Gateway(moto_url) as gw:
        yield gw


@pytest.fixture
def tls_gateway(moto_url: str, server_cert: ServerCert) -> Iterator[Gateway]:
    with Gateway(moto_url, tls=server_cert) as gw:
        yield gw


_bucket_counter = itertools.count()


@pytest.fixture
def bucket_name() -> str:
    return f"net-{uuid.uuid4().hex[:10]}-{next(_bucket_counter)}"


S3ClientFactory = Callable[..., Any]


@pytest.fixture
def s3_client() -> S3ClientFactory:
    """``s3_client(endpoint_url, verify=None, proxy=None, addressing="path", read_timeout=5)``:
    a boto3 client that fails fast (one attempt, short timeouts)."""
    import boto3
    from botocore.config import Config

    def make(
        endpoint_url: str,
        *,
        verify: str | bool | None = None,
        proxy: str | None = None,
        addressing: str = "path",
        read_timeout: float = 5.0,
        pool: int = 10,
    ) -> Any:
        config = Config(
            retries={"total_max_attempts": 1},
            connect_timeout=2,
            read_timeout=read_timeout,
            proxies={"http": proxy, "https": proxy} if proxy else {},
            s3={"addressing_style": addressing},
            max_pool_connections=pool,
        )
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            verify=verify,
            config=config,
        )

    return make


@pytest.fixture
def sink_gateway_factory(
    server_cert: ServerCert,
) -> Iterator[Callable[..., tuple[Gateway, Sink]]]:
    """``factory(tls=False, **gateway_kwargs) -> (gateway, sink)``; all stopped afterwards."""
    started: list[Gateway | Sink] = []

    def make(tls: bool = False, **kwargs: Any) -> tuple[Gateway, Sink]:
        upstream = Sink().start()
        started.append(upstream)
        gw = Gateway(upstream.url, tls=server_cert if tls else None, **kwargs).start()
        started.append(gw)
        return gw, upstream

    yield make
    for server in reversed(started):
        server.stop()
