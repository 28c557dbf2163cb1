"""The harness CA: who trusts the gateway's certificate and who does not."""

from __future__ import annotations

import socket
import ssl
import stat
from pathlib import Path

import botocore.exceptions
import pytest
from remote_store_harness import Gateway, HarnessCA, ServerCert


def _handshake(port: int, context: ssl.SSLContext, server_hostname: str = "localhost") -> str:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        return str(tls.version())


def test_handshake_succeeds_with_the_harness_ca(tls_gateway: Gateway, ca_file: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    assert _handshake(tls_gateway.port, context).startswith("TLS")


def test_handshake_fails_with_only_the_system_trust_store(tls_gateway: Gateway) -> None:
    context = ssl.create_default_context()  # CA variables are scrubbed: system store only
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(tls_gateway.port, context)


def test_handshake_fails_with_a_wrong_ca(tls_gateway: Gateway, wrong_ca: HarnessCA) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(tls_gateway.port, wrong_ca.client_ssl_context())


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "s3.test", "bucket.s3.test"])
def test_default_certificate_is_valid_for_the_harness_names(
    tls_gateway: Gateway, net_ca: HarnessCA, name: str
) -> None:
    assert _handshake(tls_gateway.port, net_ca.client_ssl_context(), server_hostname=name)


def test_default_certificate_is_not_valid_for_other_names(
    tls_gateway: Gateway, net_ca: HarnessCA
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match=r"[Hh]ostname mismatch"):
        _handshake(tls_gateway.port, net_ca.client_ssl_context(), server_hostname="example.org")


def test_boto3_with_the_wrong_ca_bundle_fails_with_ssl_error(
    tls_gateway: Gateway, wrong_ca_file: Path, s3_client
) -> None:
    client = s3_client(tls_gateway.url, verify=str(wrong_ca_file))
    with pytest.raises(botocore.exceptions.SSLError):
        client.list_buckets()
    assert len(tls_gateway.log) == 0, "no request may pass a failed handshake"


def test_boto3_with_the_harness_ca_bundle_gets_through(
    tls_gateway: Gateway, ca_file: Path, s3_client
) -> None:
    s3_client(tls_gateway.url, verify=str(ca_file)).list_buckets()
    (record,) = tls_gateway.log.records()
    assert record.tls and record.operation == "ListBuckets" and record.status == 200


def test_written_key_is_private_and_cert_is_a_chain(
    server_cert: ServerCert, tmp_path: Path
) -> None:
    cert_path, key_path = server_cert.write(tmp_path / "certs")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert cert_path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert b"PRIVATE KEY" in key_path.read_bytes()


def test_two_cas_do_not_trust_each_others_certificates(net_ca: HarnessCA) -> None:
    other = HarnessCA.create("another")
    assert other.ca_pem != net_ca.ca_pem
    cert = other.issue_server_cert("localhost")
    with Gateway("http://127.0.0.1:9", tls=cert) as gw, pytest.raises(ssl.SSLCertVerificationError):
        _handshake(gw.port, net_ca.client_ssl_context())
