"""SquidProxy: Debian's Squid with a generated configuration, in front of the harness gateway."""

from __future__ import annotations

import http.client
import os
from typing import Any

import pytest
from remote_store_harness.net._squid import SquidProxy, squid_missing_reason

from remote_store import Store
from remote_store.backends import S3Backend

_MISSING = squid_missing_reason(auth=True)
if _MISSING is not None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(f"Squid must run in CI: {_MISSING}")
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


def _connect(proxy: SquidProxy, target: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
    try:
        conn.request("CONNECT", target, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


def test_squid_tunnels_only_to_the_allowed_port(s3_topology: Any) -> None:
    allowed = s3_topology.gateway.port
    with SquidProxy(ports=[allowed]) as squid:
        assert _connect(squid, f"s3.test:{allowed}") == 200
        assert _connect(squid, f"s3.test:{allowed + 1 if allowed < 65535 else 1}") == 403


def test_squid_with_auth_answers_407_without_credentials(s3_topology: Any) -> None:
    port = s3_topology.gateway.port
    with SquidProxy(ports=[port], auth=("user", "pass")) as squid:
        assert _connect(squid, f"s3.test:{port}") == 407
        records = squid.log.records()

    assert [(r.method, r.status, r.authenticated) for r in records] == [("CONNECT", 407, False)]


def test_virtual_addressing_through_squid_resolves_created_buckets(
    s3_topology_factory: Any, scrubbed_env: None
) -> None:
    topology = s3_topology_factory(tls=True, proxy="squid", addressing="virtual")
    topology.create_bucket("squid-virtual")
    store = Store(S3Backend(**topology.s3_options("squid-virtual")))
    try:
        store.write("a.txt", b"virtual through squid")
        assert store.read_bytes("a.txt") == b"virtual through squid"
    finally:
        store.close()
        topology.delete_bucket("squid-virtual")
    hosts = {r.target.rsplit(":", 1)[0] for r in topology.proxy_log.records()}
    assert "squid-virtual.s3.test" in hosts
