"""Thread-safe logs of what crossed the gateway and the forward proxy.

The servers run on their own event-loop thread; tests read the logs from the main thread. A
record is appended *before* the last byte of the corresponding response is written to the
client, so once a client has a complete response its record is already visible.

Secrets are never stored: of ``Authorization`` only its presence is kept, and
``Proxy-Authorization`` only as the ``authenticated`` verdict.
"""

from __future__ import annotations

import collections
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

__all__ = [
    "LOGGED_HEADERS",
    "ProxyLog",
    "ProxyRecord",
    "RequestLog",
    "RequestRecord",
]

#: Request headers (lower-case) copied into :attr:`RequestRecord.headers`. ``authorization`` is
#: deliberately absent.
LOGGED_HEADERS: frozenset[str] = frozenset(
    {
        "content-length",
        "content-type",
        "content-encoding",
        "content-md5",
        "transfer-encoding",
        "expect",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "range",
        "user-agent",
        "x-amz-copy-source",
        "x-amz-copy-source-range",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-decoded-content-length",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-storage-class",
        "x-amz-server-side-encryption",
        "x-amz-checksum-crc32",
        "x-amz-checksum-mode",
        "x-amz-checksum-crc32c",
        "x-amz-checksum-sha256",
        "x-amz-trailer",
    }
)

_EMPTY: Mapping[str, str] = MappingProxyType({})


def select_headers(headers: Iterable[tuple[str, str]]) -> Mapping[str, str]:
    """Keep the :data:`LOGGED_HEADERS` (names lower-cased; repeated headers joined by ``, ``)."""
    kept: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in LOGGED_HEADERS:
            kept[key] = f"{kept[key]}, {value}" if key in kept else value
    return MappingProxyType(kept)


@dataclass(frozen=True)
class RequestRecord:
    """One request seen by the gateway.

    ``status`` is ``None`` when no response was sent (connection reset, stall, client gone).
    ``upstream_seconds`` is the time from starting to send the request upstream until the upstream
    response head arrived (``None`` if the request never went upstream). ``headers`` are the
    request headers as the client sent them (see :data:`LOGGED_HEADERS`); ``stripped`` names the
    headers removed before forwarding by a ``strip_header`` fault.
    """

    seq: int
    started_at: float
    method: str
    host: str
    path: str
    query: str
    operation: str
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False, compare=False)
    has_authorization: bool = False
    status: int | None = None
    upstream_seconds: float | None = None
    tls: bool = False
    fault: str | None = None
    stripped: tuple[str, ...] = ()
    latency_seconds: float = 0.0
    bytes_in: int = 0
    bytes_out: int = 0
    error: str | None = None


@dataclass(frozen=True)
class ProxyRecord:
    """One request seen by the forward proxy: a ``CONNECT`` or an absolute-URI request.

    ``target`` is the ``host:port`` the client asked for, ``uri`` the absolute URI (``None`` for
    ``CONNECT``), ``upstream`` the ``host:port`` actually connected to (``None`` if refused).
    ``authenticated`` is True when valid proxy credentials were presented.
    """

    seq: int
    started_at: float
    method: str
    target: str
    uri: str | None
    status: int | None
    authenticated: bool
    upstream: str | None = None
    error: str | None = None


_R = TypeVar("_R", RequestRecord, ProxyRecord)


class _Log(Generic[_R]):
    """Shared machinery: sequence numbers, append, snapshot, marks and listeners."""

    def __init__(self, maxlen: int | None = None) -> None:
        self._lock = threading.Lock()
        self._records: collections.deque[_R] = collections.deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._listeners: list[Callable[[_R], None]] = []

    def next_seq(self) -> int:
        """Reserve the sequence number for a record about to be built (1-based, increasing)."""
        with self._lock:
            self._last_seq = next(self._seq)
            return self._last_seq

    def append(self, record: _R) -> None:
        with self._lock:
            self._records.append(record)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(record)

    def subscribe(self, listener: Callable[[_R], None]) -> Callable[[], None]:
        """Call *listener* (on the server thread) for every new record; returns an unsubscriber.

        Listeners must be quick and must not raise.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def records(self) -> list[_R]:
        """A snapshot, ordered by append time (which can differ slightly from ``seq`` order)."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Drop all records; sequence numbers keep increasing so earlier marks stay valid."""
        with self._lock:
            self._records.clear()

    def mark(self) -> int:
        """A position: :meth:`since` returns the records of requests that started after it."""
        with self._lock:
            return self._last_seq

    def since(self, mark: int) -> list[_R]:
        with self._lock:
            return [r for r in self._records if r.seq > mark]

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)


class RequestLog(_Log[RequestRecord]):
    """The gateway's log. Safe to read from any thread while the gateway runs."""

    def count(
        self,
        *,
        method: str | None = None,
        operation: str | None = None,
        path: str | None = None,
        status: int | None = None,
        fault: str | None = None,
        since: int = 0,
    ) -> int:
        """Number of records matching every given criterion (``path`` is a regex, searched)."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for r in self.since(since)
            if (method is None or r.method == method)
            and (operation is None or r.operation == operation)
            and (pattern is None or pattern.search(r.path))
            and (status is None or r.status == status)
            and (fault is None or r.fault == fault)
        )

    def operations(self, since: int = 0) -> collections.Counter[str]:
        """How often each S3 operation was seen."""
        return collections.Counter(r.operation for r in self.since(since))


class ProxyLog(_Log[ProxyRecord]):
    """The forward proxy's log."""

    def count(
        self,
        *,
        method: str | None = None,
        target: str | None = None,
        status: int | None = None,
        since: int = 0,
    ) -> int:
        return sum(
            1
            for r in self.since(since)
            if (method is None or r.method == method)
            and (target is None or r.target == target)
            and (status is None or r.status == status)
        )

    def methods(self, since: int = 0) -> collections.Counter[str]:
        return collections.Counter(r.method for r in self.since(since))
