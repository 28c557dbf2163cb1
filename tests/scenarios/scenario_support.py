"""Helpers shared by the scenario modules: attempts, store construction, log reading.

Scenario tests describe what a *user* would see, so failures are captured as the exact
exception text (``Outcome``) and compared against an expectation; the same text goes into the
scenario matrix. Nothing here prints.
"""

from __future__ import annotations

import copy
import itertools
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: Failure paths must fail fast: one attempt, short timeouts (botocore otherwise retries for
#: 3 to 37 s on an unreachable or untrusted endpoint).
FAST_FAIL_CONFIG: dict[str, Any] = {"connect_timeout": 2.0, "read_timeout": 5.0}

_bucket_counter = itertools.count(1)


def unique_bucket(prefix: str = "sc") -> str:
    """A fresh, DNS-safe bucket name (3 to 63 characters) unique to this process."""
    return f"{prefix}-{os.getpid()}-{next(_bucket_counter)}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Outcome:
    """What happened when a user ran something: ``ok`` with a value, or the exception seen."""

    ok: bool
    value: Any = None
    error: BaseException | None = None

    @property
    def error_type(self) -> str | None:
        return None if self.error is None else type(self.error).__name__

    @property
    def text(self) -> str:
        """The line a user would have seen: ``ok`` or ``ExceptionType: message``."""
        if self.error is None:
            return "ok"
        return f"{type(self.error).__name__}: {self.error}"

    def __str__(self) -> str:
        return self.text


def attempt(action: Callable[[], T]) -> Outcome:
    """Run ``action`` and capture its result or the exception it raised (never re-raised)."""
    try:
        return Outcome(ok=True, value=action())
    except Exception as exc:
        return Outcome(ok=False, error=exc)


def dead_port_url() -> str:
    """``http://127.0.0.1:PORT`` where nothing listens (a port bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def backend_kwargs(
    topology: Any,
    bucket: str,
    *,
    keep_proxies: bool = True,
    keep_addressing: bool = True,
    keep_ca: bool = True,
) -> dict[str, Any]:
    """S3Backend keyword arguments for ``topology`` as a user would write them.

    Starts from ``Topology.s3_options(bucket)`` (what the harness recommends) and removes the
    pieces a scenario wants to control itself. The dict is a deep copy: botocore mutates nested
    ``config_kwargs`` dicts.
    """
    options = copy.deepcopy(dict(topology.s3_options(bucket)))
    client_options = options.setdefault("client_options", {}) or {}
    options["client_options"] = client_options
    config_kwargs = client_options.setdefault("config_kwargs", {}) or {}
    client_options["config_kwargs"] = config_kwargs
    if not keep_proxies:
        config_kwargs.pop("proxies", None)
    if not keep_addressing:
        config_kwargs.pop("s3", None)
    if not keep_ca:
        options.pop("tls_ca_bundle", None)
    for key, value in FAST_FAIL_CONFIG.items():
        config_kwargs.setdefault(key, value)
    return options


def make_store(options: dict[str, Any], *, retry: Any = "disabled") -> Any:
    """A ``Store`` over a fresh ``S3Backend`` built from ``options``.

    ``retry="disabled"`` (the default here) means ``RetryPolicy.disabled()``: scenario failures
    must be one attempt. Pass ``None`` for the client's defaults or a ``RetryPolicy``.
    """
    from remote_store import RetryPolicy, Store
    from remote_store.backends import S3Backend

    kwargs = copy.deepcopy(options)
    if retry == "disabled":
        kwargs["retry"] = RetryPolicy.disabled()
    elif retry is not None:
        kwargs["retry"] = retry
    return Store(S3Backend(**kwargs))


def host_name(host_header: str) -> str:
    """``bucket.s3.test`` from ``bucket.s3.test:8443`` (IPv6 literals in brackets kept)."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header


def records_since(log: Any, mark: int) -> list[Any]:
    return list(log.since(mark))


def served(records: list[Any]) -> list[Any]:
    """Records that got a response (a TLS handshake failure never becomes one)."""
    return [r for r in records if r.status is not None]


def ops(records: list[Any]) -> list[str]:
    return [r.operation for r in records]


def describe_records(records: list[Any]) -> str:
    """Compact text of log records for assertion messages."""
    return (
        "; ".join(
            f"{r.method} host={r.host} path={r.path} op={r.operation} status={r.status}"
            for r in records
        )
        or "<none>"
    )


def describe_proxy(records: list[Any]) -> str:
    return (
        "; ".join(
            f"{r.method} {r.target} status={r.status} auth={r.authenticated}" for r in records
        )
        or "<none>"
    )


def iter_error_chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
