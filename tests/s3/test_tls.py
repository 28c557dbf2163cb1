"""TLS trust: which CA bundle decides, and failures that say which setting was used.

The machine pre-sets AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE and SSL_CERT_FILE; the root conftest
removes them, and each test sets exactly the variables it is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from remote_store_harness.pytest_plugin import unique_bucket_name

from remote_store import BackendUnavailable
from remote_store.backends import S3Backend

from .conftest import backend_options

pytestmark = pytest.mark.s3


@pytest.fixture
def tls(s3_topology_factory: Any) -> Iterator[tuple[Any, str]]:
    topology = s3_topology_factory(tls=True)
    bucket = unique_bucket_name("tls")
    topology.create_bucket(bucket)
    topology.request_log.clear()
    yield topology, bucket
    topology.delete_bucket(bucket)


@pytest.fixture
def wrong_ca(tmp_path: Path) -> str:
    path = tmp_path / "unrelated-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


def make(topology: Any, bucket: str, **overrides: Any) -> S3Backend:
    options = backend_options(topology, bucket, **overrides)
    if options.get("tls_ca_bundle") is None:
        options.pop("tls_ca_bundle", None)
    return S3Backend(**options)


def test_explicit_tls_ca_bundle_is_trusted(tls: tuple[Any, str]) -> None:
    topology, bucket = tls
    backend = make(topology, bucket)
    backend.write("k", b"v")
    assert backend.read_bytes("k") == b"v"
    assert all(r.tls for r in topology.request_log.records())


def test_ssl_cert_file_alone_is_honoured(
    tls: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore ignores SSL_CERT_FILE; this passes only because the backend resolves it."""
    topology, bucket = tls
    monkeypatch.setenv("SSL_CERT_FILE", topology.ca_path)
    backend = make(topology, bucket, tls_ca_bundle=None)
    backend.write("k", b"v")
    assert backend.read_bytes("k") == b"v"


def test_aws_ca_bundle_outranks_ssl_cert_file_and_failure_names_it(
    tls: tuple[Any, str], monkeypatch: pytest.MonkeyPatch, wrong_ca: str
) -> None:
    topology, bucket = tls
    monkeypatch.setenv("AWS_CA_BUNDLE", wrong_ca)
    monkeypatch.setenv("SSL_CERT_FILE", topology.ca_path)
    backend = make(topology, bucket, tls_ca_bundle=None)
    with pytest.raises(BackendUnavailable) as caught:
        backend.write("k", b"v")
    assert "AWS_CA_BUNDLE" in str(caught.value)
    assert wrong_ca in str(caught.value)
    assert caught.value.path == "k"
    # Nothing was ever sent in the clear: no request reached the gateway at all.
    assert len(topology.request_log) == 0


def test_requests_ca_bundle_is_the_second_choice(
    tls: tuple[Any, str], monkeypatch: pytest.MonkeyPatch, wrong_ca: str
) -> None:
    topology, bucket = tls
    monkeypatch.setenv("AWS_CA_BUNDLE", "")  # empty values are skipped
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", topology.ca_path)
    monkeypatch.setenv("SSL_CERT_FILE", wrong_ca)
    backend = make(topology, bucket, tls_ca_bundle=None)
    backend.write("k", b"v")


def test_explicit_option_outranks_every_env_var(
    tls: tuple[Any, str], monkeypatch: pytest.MonkeyPatch, wrong_ca: str
) -> None:
    topology, bucket = tls
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, wrong_ca)
    make(topology, bucket).write("k", b"v")


def test_a_wrong_explicit_ca_fails_naming_the_option(tls: tuple[Any, str], wrong_ca: str) -> None:
    topology, bucket = tls
    backend = make(topology, bucket, tls_ca_bundle=wrong_ca)
    with pytest.raises(BackendUnavailable, match="tls_ca_bundle option"):
        backend.exists("k")


def test_without_any_ca_the_default_trust_store_rejects_the_harness_ca(
    tls: tuple[Any, str],
) -> None:
    topology, bucket = tls
    backend = make(topology, bucket, tls_ca_bundle=None)
    with pytest.raises(BackendUnavailable, match="default trust store"):
        backend.read_bytes("k")


def test_a_missing_ca_file_from_the_environment_fails_at_construction(
    tls: tuple[Any, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    topology, bucket = tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="REQUESTS_CA_BUNDLE"):
        make(topology, bucket, tls_ca_bundle=None)
