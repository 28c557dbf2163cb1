"""Error mapping: by S3 code, then HTTP status, then exception type; never by message text."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import pytest
from botocore import exceptions as bce

from remote_store import (
    AlreadyExists,
    BackendUnavailable,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from remote_store.backends.s3._errors import map_error
from remote_store.backends.s3._options import CaBundle


def client_error(code: str | None, status: int, message: str = "") -> bce.ClientError:
    error: dict[str, Any] = {"Message": message}
    if code is not None:
        error["Code"] = code
    return bce.ClientError(
        {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject"
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("NoSuchKey", 404, NotFound),
        ("NoSuchBucket", 404, NotFound),
        ("404", 404, NotFound),
        ("AccessDenied", 403, PermissionDenied),
        ("InvalidAccessKeyId", 403, PermissionDenied),
        ("SignatureDoesNotMatch", 403, PermissionDenied),
        ("ExpiredToken", 400, PermissionDenied),
        ("SlowDown", 503, BackendUnavailable),
        ("InternalError", 500, BackendUnavailable),
        ("RequestTimeout", 400, BackendUnavailable),
        ("SomethingNew", 502, BackendUnavailable),
        ("SomethingNew", 401, PermissionDenied),
        ("SomethingNew", 400, RemoteStoreError),
    ],
)
def test_client_errors_map_by_code_then_status(
    code: str, status: int, expected: type[RemoteStoreError]
) -> None:
    mapped = map_error(client_error(code, status), path="a/b")
    assert type(mapped) is expected
    assert (mapped.path, mapped.backend) == ("a/b", "s3")


def test_message_text_is_never_used_when_a_code_exists() -> None:
    raw = client_error("InvalidArgument", 400, "Access Denied: not found 404 endpoint timeout")
    assert type(map_error(raw, path="k")) is RemoteStoreError


@pytest.mark.parametrize(
    ("code", "status"), [("PreconditionFailed", 412), ("ConditionalRequestConflict", 409)]
)
def test_rejected_conditional_writes_are_already_exists(code: str, status: int) -> None:
    assert type(map_error(client_error(code, status), path="k", conditional=True)) is AlreadyExists


def test_a_precondition_failure_outside_a_conditional_write_is_not_already_exists() -> None:
    mapped = map_error(client_error("PreconditionFailed", 412), path="k")
    assert type(mapped) is RemoteStoreError


def test_not_implemented_conditional_write_suggests_the_switch() -> None:
    mapped = map_error(client_error("NotImplemented", 501), path="k", conditional=True)
    assert "conditional_writes=False" in str(mapped)


def test_length_required_suggests_checksums_only_when_required() -> None:
    mapped = map_error(client_error("MissingContentLength", 411), path="k", action="write")
    assert "request_checksum_calculation': 'when_required'" in str(mapped)


@pytest.mark.parametrize(
    "raw",
    [
        bce.EndpointConnectionError(endpoint_url="http://x"),
        bce.ConnectTimeoutError(endpoint_url="http://x"),
        bce.ReadTimeoutError(endpoint_url="http://x"),
        bce.ConnectionClosedError(endpoint_url="http://x"),
        bce.ProxyConnectionError(proxy_url="http://p"),
        TimeoutError(),
        ConnectionResetError(104, "reset"),
        aiohttp.ServerDisconnectedError(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transport_failures_are_backend_unavailable(raw: BaseException) -> None:
    assert type(map_error(raw, path="k")) is BackendUnavailable


def test_missing_credentials_are_permission_denied() -> None:
    assert type(map_error(bce.NoCredentialsError(), path="k")) is PermissionDenied


def test_unknown_exceptions_fall_back_to_the_base_error() -> None:
    mapped = map_error(RuntimeError("boom"), path="k")
    assert type(mapped) is RemoteStoreError and mapped.path == "k"


def test_already_mapped_errors_pass_through() -> None:
    original = NotFound("x", path="k", backend="s3")
    assert map_error(original, path="other") is original


def tls_failure() -> BaseException:
    raw = bce.SSLError(endpoint_url="https://s3.test", error="certificate verify failed")
    raw.__cause__ = ssl.SSLCertVerificationError("certificate verify failed")
    return raw


@pytest.mark.parametrize(
    ("ca", "expected"),
    [
        (CaBundle("/ca.pem", "the AWS_CA_BUNDLE environment variable"), "AWS_CA_BUNDLE"),
        (CaBundle("/ca.pem", "the tls_ca_bundle option"), "tls_ca_bundle option"),
        (CaBundle(None, "client default trust store"), "default trust store"),
    ],
)
def test_tls_failures_name_the_ca_source(ca: CaBundle, expected: str) -> None:
    mapped = map_error(tls_failure(), path="k", ca=ca)
    assert type(mapped) is BackendUnavailable
    assert expected in str(mapped)
