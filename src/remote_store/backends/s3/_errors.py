"""Translate botocore / aiohttp / OS failures into the ``remote_store`` error tree.

Classification uses, in order: the S3 error code, the HTTP status, the
exception type. Message text is never inspected: codes are stable, messages
are not (and differ between AWS, MinIO and moto).

A conditional-write rejection (412 ``PreconditionFailed`` / 409
``ConditionalRequestConflict``) means ``AlreadyExists`` only for a request we
sent with ``If-None-Match: *``; the caller says so with ``conditional=True``.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from ..._errors import (
    AlreadyExists,
    BackendUnavailable,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from ._options import CaBundle

__all__ = ["BACKEND", "error_code", "http_status", "is_not_found", "map_error"]

BACKEND = "s3"

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NotFound", "404", "NoSuchUpload"})
_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "AccountProblem",
        "AllAccessDisabled",
        "403",
        "401",
    }
)
_UNAVAILABLE_CODES = frozenset(
    {
        "RequestTimeout",
        "SlowDown",
        "InternalError",
        "ServiceUnavailable",
        "Throttling",
        "ThrottlingException",
        "RequestTimeTooSkewed",
        "500",
        "502",
        "503",
        "504",
    }
)
_CONDITIONAL_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
_UNAVAILABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def _response(exc: BaseException) -> dict[str, Any] | None:
    response = getattr(exc, "response", None)
    return response if isinstance(response, dict) else None


def error_code(exc: BaseException) -> str | None:
    """The S3 error code of a ``ClientError`` (``"NoSuchKey"``, ``"404"`` for bodiless HEADs)."""
    response = _response(exc)
    if response is None:
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def http_status(exc: BaseException) -> int | None:
    response = _response(exc)
    if response is None:
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if isinstance(status, int) else None


def is_not_found(exc: BaseException) -> bool:
    """True for "no such key/bucket" answers (by code, else by a 404 status)."""
    code = error_code(exc)
    if code is not None and code in _NOT_FOUND_CODES:
        return True
    return http_status(exc) == 404 and code is None


def is_bucket_missing(exc: BaseException) -> bool:
    return error_code(exc) == "NoSuchBucket"


def is_absent_bucket_error(error: BaseException) -> bool:
    """A mapped ``NotFound`` whose SDK cause says the bucket is gone (R-ABSENT: read as empty)."""
    cause = error.__cause__
    return isinstance(error, NotFound) and cause is not None and is_bucket_missing(cause)


def _tls_error_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [ssl.SSLError]
    try:
        from botocore.exceptions import SSLError as BotoSSLError

        types.append(BotoSSLError)
    except ImportError:  # pragma: no cover - botocore comes with the s3 extra
        pass
    try:
        from aiohttp import ClientSSLError

        types.append(ClientSSLError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(types)


def _cause_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it was raised from, outermost first (cycles cut)."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _is_tls_failure(exc: BaseException) -> bool:
    """True if ``exc`` or anything in its cause chain is a TLS handshake/verification error."""
    tls_types = _tls_error_types()
    return any(isinstance(link, tls_types) for link in _cause_chain(exc))


_X509_V_ERR_HOSTNAME_MISMATCH = 62


def _hostname_mismatch(exc: BaseException) -> str | None:
    """OpenSSL's message when the chain was trusted but the host name was not covered.

    Read by attribute: aiohttp's certificate error claims to be an
    ``SSLCertVerificationError`` without carrying ``verify_code``; the real one is in its chain.
    """
    for link in _cause_chain(exc):
        if getattr(link, "verify_code", None) == _X509_V_ERR_HOSTNAME_MISMATCH:
            return str(getattr(link, "verify_message", "") or "hostname mismatch")
    return None


def _proxy_refused_auth(exc: BaseException) -> bool:
    """True when an HTTP proxy answered 407 (plain-HTTP request or the CONNECT of a tunnel)."""
    if http_status(exc) == 407:
        return True
    return any(getattr(link, "status", None) == 407 for link in _cause_chain(exc))


def _classify_client_error(
    exc: BaseException, message_path: str | None, conditional: bool
) -> type[RemoteStoreError]:
    code = error_code(exc)
    status = http_status(exc)
    if conditional and (code in _CONDITIONAL_CODES or status in (409, 412)):
        return AlreadyExists
    if code in _NOT_FOUND_CODES:
        return NotFound
    if code in _DENIED_CODES:
        return PermissionDenied
    if code in _UNAVAILABLE_CODES:
        return BackendUnavailable
    if status == 404:
        return NotFound
    if status in (401, 403):
        return PermissionDenied
    if status in _UNAVAILABLE_STATUS:
        return BackendUnavailable
    return RemoteStoreError


def map_error(
    exc: BaseException,
    *,
    path: str | None,
    ca: CaBundle | None = None,
    conditional: bool = False,
    action: str = "",
) -> RemoteStoreError:
    """The ``RemoteStoreError`` for ``exc`` (already-mapped errors pass through unchanged).

    ``action`` is a short verb phrase for the message ("read", "list"), so a
    user sees what failed without the SDK's vocabulary.
    """
    if isinstance(exc, RemoteStoreError):
        return exc
    what = f"S3 {action} failed" if action else "S3 request failed"
    if _proxy_refused_auth(exc):
        return PermissionDenied(
            f"{what}: the HTTP proxy refused the request (407 Proxy Authentication Required); "
            "check the user and password in the proxy URL "
            "(client_options['config_kwargs']['proxies'] or HTTP_PROXY/HTTPS_PROXY)",
            path=path,
            backend=BACKEND,
        )
    mismatch = _hostname_mismatch(exc)
    if mismatch is not None:
        return BackendUnavailable(
            f"{what}: the server certificate does not cover the host name it was reached by "
            f"({mismatch}); the chain itself was checked against "
            f"{ca.describe() if ca is not None else 'the client default trust store'}. "
            "Bucket names containing dots do not match a '*.' wildcard certificate under "
            "virtual-host addressing: use config_kwargs={'s3': {'addressing_style': 'path'}}",
            path=path,
            backend=BACKEND,
        )
    if _is_tls_failure(exc):
        trust = ca.describe() if ca is not None else "the client default trust store"
        return BackendUnavailable(
            f"{what}: TLS verification failed using {trust}: {exc}",
            path=path,
            backend=BACKEND,
        )
    if _response(exc) is not None:
        cls = _classify_client_error(exc, path, conditional)
        code = error_code(exc)
        status = http_status(exc)
        if cls is AlreadyExists:
            text = "target exists (conditional write rejected)"
        else:
            text = f"{what}: {code or 'error'} (HTTP {status})"
        if code == "NotImplemented" and conditional:
            text += (
                "; the service does not support conditional writes (If-None-Match), "
                "construct the backend with conditional_writes=False"
            )
        if status == 411:
            # Some S3 implementations (rclone's HTTPS server) refuse botocore's aws-chunked
            # uploads with trailing checksums, which carry no Content-Length. Not retried with
            # other settings here: the body may be a one-pass stream, and the integrity
            # checksum the caller configured must not be dropped silently.
            text += (
                "; the service refuses chunked uploads with trailing checksums (no "
                "Content-Length): set client_options={'config_kwargs': "
                "{'request_checksum_calculation': 'when_required'}}"
            )
        return cls(text, path=path, backend=BACKEND)
    return _classify_transport(exc, what, path)


def _classify_transport(exc: BaseException, what: str, path: str | None) -> RemoteStoreError:
    # Imported lazily: this module is imported only when the s3 extra is present,
    # but keeping botocore out of module import time keeps `import remote_store` light.
    from botocore import exceptions as bce

    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return PermissionDenied(f"{what}: no usable credentials: {exc}", path=path, backend=BACKEND)
    if isinstance(exc, bce.ParamValidationError):
        return RemoteStoreError(f"{what}: invalid request: {exc}", path=path, backend=BACKEND)
    if isinstance(exc, bce.BotoCoreError):
        return BackendUnavailable(f"{what}: {exc}", path=path, backend=BACKEND)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError | ConnectionError | EOFError):
        return BackendUnavailable(
            f"{what}: {type(exc).__name__}: {exc}", path=path, backend=BACKEND
        )
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiohttp is a dependency of aiobotocore
        aiohttp = None  # type: ignore[assignment]
    if aiohttp is not None and isinstance(exc, aiohttp.ClientError):
        return BackendUnavailable(
            f"{what}: {type(exc).__name__}: {exc}", path=path, backend=BACKEND
        )
    if isinstance(exc, FileNotFoundError):
        return NotFound(f"{what}: {exc}", path=path, backend=BACKEND)
    if isinstance(exc, PermissionError):
        return PermissionDenied(f"{what}: {exc}", path=path, backend=BACKEND)
    return RemoteStoreError(f"{what}: {type(exc).__name__}: {exc}", path=path, backend=BACKEND)
