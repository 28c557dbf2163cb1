"""A distinct secret in every credential slot shows up nowhere a user or a tool can see it.

Slots: the access key, secret key and session token (top level and nested in
``client_options``), the user and password of every proxy option. Surfaces: config and
backend ``repr``/``str``, the full text of every error raised on an auth, TLS or proxy
failure (``traceback.format_exception``, cause chain included), the frame locals of a failed
construction, and the DEBUG records of remote_store, botocore, aiobotocore, s3fs and aiohttp
as a handler carrying ``SecretRedactionFilter`` writes them.
"""

from __future__ import annotations

import io
import logging
import sys
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from remote_store_harness import FaultRule

from remote_store import (
    BackendConfig,
    BackendUnavailable,
    PermissionDenied,
    RemoteStoreError,
    RetryPolicy,
    SecretRedactionFilter,
)
from remote_store.backends import S3Backend

KEY = "AKIAPLANTKEY7Q1W2E3R"
SECRET = "plant-secret-8d7c6b5a4f3e"
TOKEN = "plant-token-1a2b3c4d5e6f"
NESTED_KEY = "AKIAPLANTNESTED9Z8X7C"
NESTED_SECRET = "plant-nested-secret-0f9e8d"
NESTED_TOKEN = "plant-nested-token-5k4j3h"
PROXY_USER = "plantproxyuser4v5b"
PROXY_PASSWORD = "plant-proxy-pw-6n7m8l"
WRONG_PROXY_PASSWORD = "plant-wrong-proxy-pw-2q3w"
OTHER_PROXY_USER = "plantotheruser9o8i"
OTHER_PROXY_PASSWORD = "plant-other-proxy-pw-7u6y"

PLANTED = (
    KEY,
    SECRET,
    TOKEN,
    NESTED_KEY,
    NESTED_SECRET,
    NESTED_TOKEN,
    PROXY_USER,
    PROXY_PASSWORD,
    WRONG_PROXY_PASSWORD,
    OTHER_PROXY_USER,
    OTHER_PROXY_PASSWORD,
)
LOGGERS = ("remote_store", "botocore", "aiobotocore", "s3fs", "aiohttp", "fsspec")
NO_RETRY = RetryPolicy(max_attempts=1)


def _leaks(text: str) -> list[str]:
    return [value for value in PLANTED if value in text]


def _proxy(topology: Any, user: str, password: str) -> str:
    address = topology.proxy_url.split("://", 1)[1].rsplit("@", 1)[-1]
    return f"http://{user}:{password}@{address}"


def _options(topology: Any, bucket: str, proxy_password: str, *, nested: bool) -> dict[str, Any]:
    """Backend options for ``topology`` with every credential slot holding a planted value.

    The proxy option the request uses gets ``proxy_password``; the other one a credential of
    its own (both must stay hidden).
    """
    scheme = "https" if topology.endpoint_url.startswith("https") else "http"
    other = "http" if scheme == "https" else "https"
    config_kwargs: dict[str, Any] = topology.config_kwargs()
    config_kwargs["proxies"] = {
        scheme: _proxy(topology, PROXY_USER, proxy_password),
        other: _proxy(topology, OTHER_PROXY_USER, OTHER_PROXY_PASSWORD),
    }
    config_kwargs["retries"] = {"total_max_attempts": 1}
    client_options: dict[str, Any] = {"config_kwargs": config_kwargs}
    options: dict[str, Any] = {
        "bucket": bucket,
        "endpoint_url": topology.endpoint_url,
        "region_name": "us-east-1",
        "client_options": client_options,
        "retry": NO_RETRY,
    }
    if nested:
        client_options.update(key=NESTED_KEY, secret=NESTED_SECRET, token=NESTED_TOKEN)
    else:
        options.update(key=KEY, secret=SECRET)
        client_options["token"] = TOKEN
    if topology.ca_path is not None:
        options["tls_ca_bundle"] = topology.ca_path
    return options


@pytest.fixture
def debug_logs() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """(redacted, raw) DEBUG text of the client libraries; raw proves the capture is real."""
    redacted, raw = io.StringIO(), io.StringIO()
    raw_handler = logging.StreamHandler(raw)  # first: the filter below rewrites records
    handler = logging.StreamHandler(redacted)
    handler.addFilter(SecretRedactionFilter())
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    root = logging.getLogger()
    previous = {name: logging.getLogger(name).level for name in LOGGERS}
    for h in (raw_handler, handler):
        h.setFormatter(formatter)
        h.setLevel(logging.DEBUG)
        root.addHandler(h)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield redacted, raw
    finally:
        for h in (raw_handler, handler):
            root.removeHandler(h)
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


@pytest.fixture(params=[False, True], ids=["http", "tls"])
def auth_proxy(request: pytest.FixtureRequest, s3_topology_factory: Any) -> Any:
    auth = (PROXY_USER, PROXY_PASSWORD)
    return s3_topology_factory(tls=request.param, proxy="forward", proxy_auth=auth)


@pytest.mark.parametrize("nested", [False, True], ids=["top-level", "client-options"])
def test_config_and_backend_repr_show_no_planted_credential(
    auth_proxy: Any, s3_bucket: str, nested: bool
) -> None:
    options = _options(auth_proxy, s3_bucket, PROXY_PASSWORD, nested=nested)
    config = BackendConfig(type="s3", options={k: v for k, v in options.items() if k != "retry"})
    backend = S3Backend(**options)
    try:
        texts = [repr(config), str(config), repr(backend), str(backend)]
        assert _leaks("\n".join(texts)) == []
        assert "http://***@" in repr(config), repr(config)  # the proxy stays recognisable
    finally:
        backend.close()


def test_successful_requests_through_an_authenticated_proxy_log_no_credential(
    auth_proxy: Any, s3_bucket: str, debug_logs: tuple[io.StringIO, io.StringIO]
) -> None:
    auth_proxy.create_bucket(s3_bucket)
    backend = S3Backend(**_options(auth_proxy, s3_bucket, PROXY_PASSWORD, nested=False))
    try:
        backend.write("a.txt", b"x")
        assert backend.read_bytes("a.txt") == b"x"
        with pytest.raises(RemoteStoreError) as missing:
            backend.read_bytes("missing.txt")
    finally:
        backend.close()
    redacted, raw = debug_logs
    assert KEY in raw.getvalue()  # botocore logs the Authorization header: the filter is needed
    assert _leaks(redacted.getvalue()) == []
    assert _leaks(_error_text(missing.value)) == []


@pytest.mark.parametrize("nested", [False, True], ids=["top-level", "client-options"])
def test_a_refused_proxy_password_is_in_no_error_text_and_no_log(
    auth_proxy: Any,
    s3_bucket: str,
    nested: bool,
    debug_logs: tuple[io.StringIO, io.StringIO],
) -> None:
    backend = S3Backend(**_options(auth_proxy, s3_bucket, WRONG_PROXY_PASSWORD, nested=nested))
    try:
        with pytest.raises(PermissionDenied, match="407") as caught:
            backend.read_bytes("a.txt")
    finally:
        backend.close()
    text = _error_text(caught.value)
    assert caught.value.__cause__ is not None and _leaks(text) == []
    redacted, _raw = debug_logs
    assert _leaks(redacted.getvalue()) == []


def test_a_tls_failure_shows_no_credential(
    s3_topology_factory: Any, s3_bucket: str, tmp_path: Any
) -> None:
    from remote_store_harness.net import HarnessCA

    topology = s3_topology_factory(
        tls=True, proxy="forward", proxy_auth=(PROXY_USER, PROXY_PASSWORD)
    )
    options = _options(topology, s3_bucket, PROXY_PASSWORD, nested=False)
    options["tls_ca_bundle"] = str(HarnessCA.create().write_ca(tmp_path / "other-ca.pem"))
    backend = S3Backend(**options)
    try:
        with pytest.raises(BackendUnavailable, match="TLS") as caught:
            backend.read_bytes("a.txt")
    finally:
        backend.close()
    assert _leaks(_error_text(caught.value)) == []


def test_a_refused_access_key_shows_no_credential(
    auth_proxy: Any, s3_bucket: str, debug_logs: tuple[io.StringIO, io.StringIO]
) -> None:
    rule = auth_proxy.faults.add(FaultRule(kind="error", status=403, code="InvalidAccessKeyId"))
    backend = S3Backend(**_options(auth_proxy, s3_bucket, PROXY_PASSWORD, nested=False))
    try:
        with pytest.raises(PermissionDenied) as caught:
            backend.read_bytes("a.txt")
    finally:
        backend.close()
        auth_proxy.faults.remove(rule)
    assert _leaks(_error_text(caught.value)) == []
    assert _leaks(debug_logs[0].getvalue()) == []


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # a half-constructed object (``self``) may not repr
        return f"<{type(value).__name__}>"


def test_frame_locals_of_a_failed_construction_hold_no_credential(auth_proxy: Any) -> None:
    options = _options(auth_proxy, "b", PROXY_PASSWORD, nested=False)
    options["client_options"]["config_kwargs"]["connect_timeout"] = -1  # refused late
    try:
        S3Backend(**options)
    except ValueError:
        tb = sys.exc_info()[2]
    else:  # pragma: no cover - the option is invalid
        pytest.fail("construction accepted a negative timeout")
    frames: list[str] = []
    assert tb is not None
    tb = tb.tb_next  # the library's frames: this test's own locals hold the caller's plain dict
    while tb is not None:
        frames.extend(_safe_repr(value) for value in tb.tb_frame.f_locals.values())
        tb = tb.tb_next
    assert len(frames) > 5 and _leaks("\n".join(frames)) == []
