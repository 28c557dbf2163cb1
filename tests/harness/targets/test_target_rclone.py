"""The rclone target: `rclone serve s3` over a temporary directory, plain HTTP behind the gateway
or HTTPS from rclone itself with a leaf of the harness CA."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from remote_store_harness.endpoint import Credentials, Endpoint, boto3_client
from remote_store_harness.net import HarnessCA
from remote_store_harness.targets import RcloneTarget, TargetStartError
from remote_store_harness.targets._rclone import rclone_binary
from remote_store_harness.topology import Topology, TopologySpec, start_topology

from remote_store import RemoteStoreError, Store
from remote_store.backends import S3Backend

pytestmark = pytest.mark.skipif(rclone_binary() is None, reason="no rclone executable on PATH")


@pytest.fixture(scope="module")
def rclone() -> Iterator[RcloneTarget]:
    with RcloneTarget() as target:
        yield target


@pytest.fixture(scope="module")
def rclone_tls(harness_ca: HarnessCA) -> Iterator[Topology]:
    with start_topology(TopologySpec(target="rclone-tls"), ca=harness_ca) as topology:
        yield topology


def test_rclone_serves_s3_on_loopback_with_generated_credentials(rclone: RcloneTarget) -> None:
    rclone.create_bucket("hello")
    client = boto3_client(rclone.endpoint)
    client.put_object(Bucket="hello", Key="a/b.txt", Body=b"hi")

    assert client.get_object(Bucket="hello", Key="a/b.txt")["Body"].read() == b"hi"
    assert rclone.endpoint_url.startswith("http://127.0.0.1:")
    assert (rclone.data_dir / "hello" / "a" / "b.txt").read_bytes() == b"hi"


def test_rclone_rejects_a_wrong_secret(rclone: RcloneTarget) -> None:
    wrong = Endpoint(rclone.endpoint_url, Credentials(rclone.credentials.access_key, "wrong"))

    with pytest.raises(ClientError) as caught:
        boto3_client(wrong, retries={"total_max_attempts": 1}).list_buckets()

    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_reset_removes_every_bucket(rclone: RcloneTarget) -> None:
    rclone.create_bucket("doomed")
    rclone.populate("doomed", [("x/1", 10), ("y", b"data")])

    rclone.reset()

    assert boto3_client(rclone.endpoint).list_buckets()["Buckets"] == []


def test_behind_the_tls_gateway_rclone_also_refuses_chunked_uploads(
    harness_ca: HarnessCA,
) -> None:
    """The 411 follows the request shape (botocore sends aws-chunked bodies over HTTPS only),
    not the TLS stack: the gateway forwards the chunked PUT and rclone refuses it over HTTP."""
    with start_topology(TopologySpec(target="rclone", tls=True), ca=harness_ca) as topology:
        topology.create_bucket("gateway")
        default = _store(topology, "gateway")
        fixed = _store(topology, "gateway", request_checksum_calculation="when_required")

        with pytest.raises(RemoteStoreError, match="HTTP 411"):
            default.write("f.txt", b"refused")
        fixed.write("f.txt", b"through the gateway")

        assert fixed.read_bytes("f.txt") == b"through the gateway"
        assert [r.status for r in topology.request_log.records()][:2] == [411, 200]


def test_rclone_serves_tls_itself_with_a_leaf_of_the_harness_ca(
    rclone_tls: Topology, harness_ca: HarnessCA
) -> None:
    port = int(rclone_tls.endpoint_url.rsplit(":", 1)[1])
    context = harness_ca.client_ssl_context()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    assert rclone_tls.ca_path is not None
    assert rclone_tls.endpoint_url.startswith("https://127.0.0.1:")


def test_rclone_tls_refuses_a_client_that_trusts_only_the_system_store(
    rclone_tls: Topology,
) -> None:
    port = int(rclone_tls.endpoint_url.rsplit(":", 1)[1])
    context = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname="127.0.0.1")


def _store(topology: Topology, bucket: str, **config: Any) -> Store:
    options = topology.s3_options(bucket)
    options["client_options"]["config_kwargs"].update(
        {"retries": {"total_max_attempts": 1}, **config}
    )
    return Store(S3Backend(**options))


def test_rclone_tls_411_names_the_checksum_option(rclone_tls: Topology) -> None:
    rclone_tls.create_bucket("chunked")
    store = _store(rclone_tls, "chunked")

    with pytest.raises(RemoteStoreError, match="request_checksum_calculation") as caught:
        store.write("a.txt", b"hello")

    assert "HTTP 411" in str(caught.value)


def test_rclone_tls_takes_writes_with_checksums_only_when_required(rclone_tls: Topology) -> None:
    rclone_tls.create_bucket("plain")
    store = _store(rclone_tls, "plain", request_checksum_calculation="when_required")

    store.write("a.txt", b"hello")

    assert store.read_bytes("a.txt") == b"hello"


def test_a_server_that_exits_at_start_up_fails_at_once_with_what_it_said(tmp_path: Any) -> None:
    fake = tmp_path / "rclone"
    fake.write_text("#!/bin/sh\necho 'fatal: the reason is here' >&2\nexit 3\n")
    fake.chmod(0o755)

    with pytest.raises(TargetStartError) as caught:
        RcloneTarget(binary=str(fake), startup_timeout=60).start()

    message = str(caught.value)
    assert "exited with status 3" in message and "fatal: the reason is here" in message
    assert "did not become ready" not in message  # the exit ended the wait, not the deadline
