"""Forward proxy connection hygiene: idle and header timeouts, quiet client disconnects."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from remote_store_harness import ForwardProxy
from remote_store_harness.errors import ProxyConfigError


def _connect(px: ForwardProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", px.port), timeout=5)


def _recv_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_idle_connection_is_closed_after_the_idle_timeout() -> None:
    with ForwardProxy(idle_timeout=0.5) as px, _connect(px) as sock:
        started = time.monotonic()
        assert _recv_all(sock) == b""  # closed by the proxy, nothing sent
        assert 0.4 < time.monotonic() - started < 4


def test_incomplete_head_is_answered_408_after_the_header_timeout() -> None:
    with ForwardProxy(header_timeout=0.5) as px, _connect(px) as sock:
        sock.sendall(b"GET http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1")
        started = time.monotonic()
        answer = _recv_all(sock)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < 4


@pytest.mark.parametrize("option", ["idle_timeout", "header_timeout"])
@pytest.mark.parametrize("value", [0, -1, float("inf")])
def test_timeouts_must_be_finite_and_positive(option: str, value: float) -> None:
    with pytest.raises(ProxyConfigError, match=option):
        ForwardProxy(**{option: value})


def test_client_vanishing_mid_head_is_one_log_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="remote_store_harness")
    with ForwardProxy() as px:
        with socket.create_connection(("127.0.0.1", px.port), timeout=5) as sock:
            sock.sendall(b"PUT http://127.0.0.1:9/k HTTP/1.1\r\nHost: x")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not caplog.records:
            time.sleep(0.05)
    records = [r for r in caplog.records if r.name == "remote_store_harness"]
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].exc_info is None
    assert "client connection ended" in records[0].getMessage()
