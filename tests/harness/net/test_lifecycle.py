"""Servers stop cleanly: no thread, socket or connection outlives stop()."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from remote_store_harness import ForwardProxy, Gateway, ServerCert


def _sockets_on(ports: set[int]) -> list[object]:
    """This process's sockets whose local port is one of *ports* (listeners and accepted)."""
    import psutil

    return [
        c for c in psutil.Process().net_connections("inet") if c.laddr and c.laddr.port in ports
    ]


def _harness_threads() -> set[threading.Thread]:
    """Harness server threads alive now (other tests' session topologies may own some)."""
    return {t for t in threading.enumerate() if t.name.startswith("harness-")}


def test_stop_leaves_no_threads_or_sockets(
    moto_url: str, server_cert: ServerCert, ca_file: Path, s3_client
) -> None:
    before = _harness_threads()
    gw = Gateway(moto_url, tls=server_cert).start()
    address = ("127.0.0.1", gw.port)
    px = ForwardProxy(resolve={"s3.test": address}).start()
    client = s3_client(f"https://localhost:{gw.port}", verify=str(ca_file), proxy=px.url)
    client.list_buckets()
    idle = socket.create_connection(("127.0.0.1", gw.port))  # a client that never speaks
    ports = {gw.port, px.port}
    assert _sockets_on(ports), "sanity: the probe sees the servers' sockets while they run"
    px.stop()
    gw.stop()
    idle.close()
    client.close()
    assert _harness_threads() - before == set()
    assert _sockets_on(ports) == []


def test_stop_closes_idle_keep_alive_client_connections(gateway: Gateway, s3_client) -> None:
    client = s3_client(gateway.url)
    client.list_buckets()
    assert gateway.open_connections == 1
    gateway.stop()
    assert gateway.open_connections == 0 and not gateway.running


def test_stop_is_idempotent_and_restart_is_refused(moto_url: str) -> None:
    import pytest
    from remote_store_harness.errors import ServerStateError

    gw = Gateway(moto_url).start()
    with pytest.raises(ServerStateError):
        gw.start()
    gw.stop()
    gw.stop()


def test_servers_listen_on_loopback_only(gateway: Gateway) -> None:
    with ForwardProxy() as px:
        assert gateway.url.startswith("http://127.0.0.1:")
        assert px.url.startswith("http://127.0.0.1:")
