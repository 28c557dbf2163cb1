"""Describe an S3 target, build boto3 clients for it, and check it is usable before writing.

The probe talks to the service with plain boto3/botocore (never through ``remote_store``) so that
its answers describe the *service*, not our library. Everything that decides how a client is
built lives here, so that each probe question uses exactly the same settings the user gave:
endpoint, CA bundle, proxy, addressing style, credentials.

:func:`preflight` turns the usual first-contact failures (no route, TLS, missing bucket, refused
credentials) into one-line :class:`~remote_store_harness.probe._errors.RunError` s, fast: a short
connect timeout and exactly one attempt, because a person is waiting for the answer.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..endpoint import Addressing, Endpoint, boto3_client, redact_url
from ._errors import (
    BucketMissing,
    CaBundleInvalid,
    CredentialsRejected,
    EndpointUnreachable,
    RunError,
    TlsVerificationFailed,
    UsageError,
)

__all__ = [
    "Addressing",
    "CaSource",
    "ProbeTarget",
    "make_client",
    "preflight",
    "resolve_ca",
    "validate_target",
]

#: Environment variables boto3 itself consults for a CA bundle, in its order of precedence.
#: (boto3 ignores SSL_CERT_FILE / SSL_CERT_DIR / CURL_CA_BUNDLE.)
_BOTO_CA_VARIABLES = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


@dataclass(frozen=True)
class CaSource:
    """Where the CA bundle for TLS verification comes from, in words and as a path."""

    path: str | None
    #: The target's ``ca_label`` (e.g. "--ca"), "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE" or
    #: "certifi (boto3 default)".
    origin: str
    #: True when the path is the target's own (given with the endpoint), not boto3's lookup.
    explicit: bool = False


@dataclass(frozen=True)
class ProbeTarget:
    """One bucket on one S3-compatible endpoint: what the probe questions.

    ``use_env_proxy``: with no ``endpoint.proxy_url``, let the proxy environment variables route
    requests (boto3's own behaviour, so the answers describe what a user's client meets); False
    for the embedded topologies, whose loopback traffic a user's proxy must never see.
    ``label`` names the target in reports. ``ca_label`` / ``proxy_label`` say in the answers
    where the endpoint's CA bundle and proxy came from: the flags a user passed by default, the
    harness' own for the embedded topologies (whose answers must not cite flags nobody gave).
    """

    endpoint: Endpoint
    bucket: str
    label: str = "target"
    use_env_proxy: bool = True
    ca_label: str = "--ca"
    proxy_label: str = "--proxy"

    def with_addressing(self, addressing: Addressing) -> ProbeTarget:
        return replace(self, endpoint=self.endpoint.with_addressing(addressing))


def resolve_ca(target: ProbeTarget, environ: dict[str, str] | None = None) -> CaSource:
    """The CA bundle a boto3 client for *target* verifies against, and why.

    The target's own CA bundle (``--ca``) wins; otherwise boto3's own environment order;
    otherwise certifi.
    """
    env = os.environ if environ is None else environ
    if target.endpoint.ca_path is not None:
        return CaSource(target.endpoint.ca_path, target.ca_label, explicit=True)
    for name in _BOTO_CA_VARIABLES:
        value = env.get(name)
        if value:
            return CaSource(value, name)
    try:
        import certifi

        return CaSource(str(certifi.where()), "certifi (boto3 default)")
    except ImportError:  # pragma: no cover - botocore depends on certifi
        return CaSource(None, "system default")


def proxy_origin(target: ProbeTarget, environ: dict[str, str] | None = None) -> str:
    """Which proxy boto3 will use for *target*, in words (for evidence lines)."""
    if target.endpoint.proxy_url is not None:
        return f"{target.proxy_label} {redact_url(target.endpoint.proxy_url)}"
    if not target.use_env_proxy:
        return "none"
    env = os.environ if environ is None else environ
    scheme = "https" if target.endpoint.is_tls else "http"
    for name in (f"{scheme.upper()}_PROXY", f"{scheme}_proxy"):
        if env.get(name):
            return f"{name}={redact_url(env[name])} (environment)"
    return "none"


def validate_target(target: ProbeTarget) -> None:
    """Reject malformed arguments before any network traffic (one-line :class:`UsageError`)."""
    parts = urlsplit(target.endpoint.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            "--endpoint must be an http:// or https:// URL with a host, "
            f"got {target.endpoint.url!r}"
        )
    if not 3 <= len(target.bucket) <= 63:
        raise UsageError(f"--bucket must be 3 to 63 characters long, got {target.bucket!r}")
    if target.endpoint.proxy_url is not None:
        proxy = urlsplit(target.endpoint.proxy_url)
        if proxy.scheme not in ("http", "https") or not proxy.hostname:
            raise UsageError(
                f"--proxy must be an http:// URL, got {redact_url(target.endpoint.proxy_url)!r}"
            )
    addressing = target.endpoint.addressing
    if addressing not in ("path", "virtual"):
        raise UsageError(f"--addressing must be 'path' or 'virtual', got {addressing!r}")
    if target.endpoint.ca_path is not None:
        check_ca_file(target.endpoint.ca_path)


def check_ca_file(path: str) -> None:
    """A CA bundle must be a readable file that OpenSSL accepts as PEM certificates."""
    candidate = Path(path)
    if not candidate.is_file():
        raise CaBundleInvalid(f"--ca {path}: no such file")
    try:
        context = ssl.create_default_context(cafile=str(candidate))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise CaBundleInvalid(f"--ca {path}: not a PEM CA bundle ({exc})") from None
    if not context.get_ca_certs():
        raise CaBundleInvalid(f"--ca {path}: contains no CA certificate")


def make_client(
    target: ProbeTarget,
    *,
    addressing: Addressing | None = None,
    fast_fail: bool = False,
    verify: str | bool | None = None,
    checksum_when_required: bool = False,
    max_pool_connections: int = 10,
) -> Any:
    """A boto3 S3 client for *target*.

    ``verify`` None means "the CA the run resolved" (explicit path when ``--ca`` was given,
    otherwise boto3's native lookup). ``fast_fail`` sets a 3 s connect timeout and a single
    attempt: failure paths must answer in about a second, not after 30 s of retries.
    """
    config: dict[str, Any] = {
        "max_pool_connections": max_pool_connections,
        "user_agent_extra": "remote-store-harness-probe",
    }
    if fast_fail:
        config.update(
            connect_timeout=3,
            read_timeout=15,
            retries={"total_max_attempts": 1, "mode": "standard"},
        )
    else:
        config.update(
            connect_timeout=10,
            read_timeout=60,
            retries={"total_max_attempts": 3, "mode": "standard"},
        )
    if checksum_when_required:
        config["request_checksum_calculation"] = "when_required"
        config["response_checksum_validation"] = "when_required"
    endpoint = (
        target.endpoint if addressing is None else target.endpoint.with_addressing(addressing)
    )
    return boto3_client(
        endpoint, env_proxy=target.use_env_proxy, env_ca=True, verify=verify, **config
    )


def error_code(exc: BaseException) -> tuple[str, int | None]:
    """(S3 error code, HTTP status) of a botocore ClientError; ("", None) for anything else."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return "", None
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code, status if isinstance(status, int) else None


def classify_connection_error(exc: BaseException, target: ProbeTarget) -> RunError | None:
    """Map a botocore transport error to a one-line RunError; None if it is not one."""
    from botocore import exceptions as bx

    where = target.endpoint.url
    if isinstance(exc, bx.SSLError):
        ca = resolve_ca(target)
        return TlsVerificationFailed(
            f"TLS verification of {where} failed with CA from {ca.origin} ({ca.path}): "
            f"{_root_cause(exc)}"
        )
    if isinstance(exc, bx.ProxyConnectionError):
        return EndpointUnreachable(
            f"cannot reach proxy {proxy_origin(target)} for {where}: {_root_cause(exc)}"
        )
    if isinstance(exc, bx.ConnectTimeoutError | bx.EndpointConnectionError):
        return EndpointUnreachable(f"cannot reach endpoint {where}: {_root_cause(exc)}")
    if isinstance(exc, bx.ReadTimeoutError):
        return EndpointUnreachable(f"endpoint {where} accepted a connection but did not answer")
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return UsageError("no credentials: pass --key/--secret or set AWS_ACCESS_KEY_ID/...")
    if isinstance(exc, bx.HTTPClientError | bx.ConnectionError):
        return EndpointUnreachable(f"connection to {where} failed: {_root_cause(exc)}")
    return None


def _root_cause(exc: BaseException) -> str:
    """The innermost exception's message: the useful part of botocore's nested errors."""
    seen: set[int] = set()
    current: BaseException = exc
    while True:
        nxt = current.__cause__ or current.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(current))
        current = nxt
    text = str(current) or type(current).__name__
    if current is not exc and "SSL" in type(current).__name__ + text:
        return text
    return text if current is exc else f"{type(current).__name__}: {text}"


def preflight(target: ProbeTarget) -> None:
    """Prove the endpoint answers, TLS verifies, the bucket exists and the credentials work.

    Raises one RunError subclass with a one-line message; returns None when the bucket is usable.
    Uses HeadBucket and, because a HEAD 403 carries no error code, a one-key ListObjectsV2 to tell
    refused credentials from a denied bucket.
    """
    from botocore import exceptions as bx

    validate_target(target)
    client = make_client(target, fast_fail=True)
    try:
        client.head_bucket(Bucket=target.bucket)
    except bx.ClientError as exc:
        code, status = error_code(exc)
        if status == 404 or code in ("404", "NoSuchBucket", "NotFound"):
            raise BucketMissing(
                f"bucket {target.bucket!r} does not exist at {target.endpoint.url}"
            ) from None
        if status in (401, 403):
            _explain_forbidden(client, target)
        raise RunError(
            f"HeadBucket {target.bucket!r} at {target.endpoint.url} failed: HTTP {status} {code}"
        ) from None
    except bx.BotoCoreError as exc:
        mapped = classify_connection_error(exc, target)
        if mapped is None:
            raise RunError(f"first request to {target.endpoint.url} failed: {exc}") from None
        raise mapped from None
    finally:
        client.close()


def _explain_forbidden(client: Any, target: ProbeTarget) -> None:
    from botocore import exceptions as bx

    try:
        client.list_objects_v2(Bucket=target.bucket, MaxKeys=1)
    except bx.ClientError as exc:
        code, status = error_code(exc)
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"):
            raise CredentialsRejected(
                f"credentials rejected by {target.endpoint.url}: {code} (check --key/--secret)"
            ) from None
        raise CredentialsRejected(
            f"access to bucket {target.bucket!r} denied at {target.endpoint.url}: "
            f"HTTP {status} {code or 'Forbidden'}"
        ) from None
    except bx.BotoCoreError:
        pass
    raise CredentialsRejected(
        f"HeadBucket on {target.bucket!r} was refused (403) at {target.endpoint.url}"
    )
