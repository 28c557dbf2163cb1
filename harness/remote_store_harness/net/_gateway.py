"""The gateway: a small reverse proxy in front of every target, and the harness's one
observation point.

Whatever the topology (TLS or not, behind the forward proxy or not), S3 requests cross the
gateway, which terminates TLS if asked, logs each request (:class:`RequestRecord`), adds
latency, injects faults (:class:`FaultPlan`) and relays the rest to a plain-HTTP upstream over
pooled keep-alive connections. ``Host`` is preserved so virtual-host addressing reaches the
upstream unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import time
import uuid
from typing import Protocol
from urllib.parse import urlsplit

from ..errors import GatewayConfigError
from ..observe._faults import RESPONSE_KINDS, FaultPlan, FaultRule, Latency, RequestFacts
from ..observe._requestlog import RequestLog, RequestRecord, select_headers
from ..observe._s3ops import s3_operation
from ._aio import LoopServer, abort_with_reset
from ._http import RequestHead, answer_locally, serve_requests
from ._pool import ConnectionPool
from ._relay import Outcome, ResponseTamper, relay
from ._tls import ServerCert

__all__ = ["Gateway", "GatewayConfigError", "s3_error_body"]


def s3_error_body(code: str, message: str, resource: str, request_id: str) -> bytes:
    """An S3-shaped XML error document, as botocore parses it."""
    from xml.sax.saxutils import escape

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>{request_id}</RequestId></Error>"
    ).encode()


class _Recorder(Protocol):
    """The per-request ``record(**fields)`` closure: appends the request's record."""

    def __call__(self, **fields: object) -> None: ...


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Injected"


class Gateway(LoopServer):
    """Reverse proxy to ``upstream_url`` (``http://host:port``), serving on ``host`` port 0.

    With ``tls`` it serves HTTPS with that certificate. ``log``, ``faults`` and ``latency`` may
    be shared objects; fresh ones are created otherwise and exposed as attributes. Latency is
    applied to every request before fault injection and forwarding.
    """

    _name = "harness-gateway"

    def __init__(
        self,
        upstream_url: str,
        *,
        tls: ServerCert | None = None,
        host: str = "127.0.0.1",
        log: RequestLog | None = None,
        faults: FaultPlan | None = None,
        latency: Latency | None = None,
    ) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise GatewayConfigError(
                f"upstream must be plain http://host:port, got {upstream_url!r}"
            )
        super().__init__(host=host, ssl_context=tls.server_ssl_context() if tls else None)
        self._upstream_url = upstream_url.rstrip("/")
        self._upstream = (parts.hostname, parts.port)
        self._cert = tls
        self.log = log if log is not None else RequestLog()
        self.faults = faults if faults is not None else FaultPlan()
        self._latency = latency if latency is not None else Latency()
        self._pool: ConnectionPool | None = None

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"Gateway({where} -> {self._upstream_url})"

    @property
    def upstream_url(self) -> str:
        return self._upstream_url

    @property
    def tls(self) -> ServerCert | None:
        return self._cert

    @property
    def scheme(self) -> str:
        return "https" if self._cert is not None else "http"

    @property
    def url(self) -> str:
        """``http(s)://127.0.0.1:PORT`` (only valid while running)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def latency(self) -> Latency:
        return self._latency

    @latency.setter
    def latency(self, value: Latency) -> None:
        """Takes effect for requests that start after the assignment."""
        self._latency = value

    def set_latency(self, value: Latency) -> None:
        self._latency = value

    async def _close_resources(self) -> None:
        if self._pool is not None:
            await self._pool.close_all()

    # -- per connection ---------------------------------------------------------------------
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._pool is None:
            self._pool = ConnectionPool(*self._upstream)
        await serve_requests(reader, writer, self._serve)

    async def _serve(
        self, head: RequestHead, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        seq = self.log.next_seq()
        started_at = time.time()
        target = head.target
        if "://" in target:  # absolute-form sent straight to us: use its path
            split = urlsplit(target)
            target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        path, _, query = target.partition("?")
        host = head.get("host") or ""
        headers = select_headers(head.headers)
        operation = s3_operation(head.method, host, path, query, headers)

        delay = self._latency.sample_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        decision = self.faults.decide(RequestFacts(head.method, path, operation))

        def record(**fields: object) -> None:
            self.log.append(
                RequestRecord(
                    seq=seq,
                    started_at=started_at,
                    method=head.method,
                    host=host,
                    path=path,
                    query=query,
                    operation=operation,
                    headers=headers,
                    has_authorization=head.get("authorization") is not None,
                    tls=self._cert is not None,
                    latency_seconds=delay,
                    stripped=decision.strip,
                    **fields,  # type: ignore[arg-type]
                )
            )

        terminal = decision.terminal
        tamper: ResponseTamper | None = None
        if terminal is not None and terminal.kind in RESPONSE_KINDS:
            tamper = ResponseTamper(
                terminal.kind, offset=terminal.after_bytes, delay=terminal.stall_seconds
            )
        elif terminal is not None:
            return await self._inject(terminal, head, reader, writer, path, record)

        assert self._pool is not None

        def done(outcome: Outcome) -> None:
            label = decision.label
            if tamper is not None and not outcome.tampered and label is not None:
                label += ":not-applied"
            record(
                status=outcome.status,
                upstream_seconds=outcome.upstream_seconds,
                bytes_in=outcome.bytes_in,
                bytes_out=outcome.bytes_out,
                error=outcome.error,
                fault=label,
            )

        forward_headers = head.forwardable(extra_drop={"expect", *decision.strip})
        return await relay(
            head,
            target=target,
            headers=forward_headers,
            client_reader=reader,
            client_writer=writer,
            pool=self._pool,
            on_done=done,
            tamper=tamper,
        )

    async def _inject(
        self,
        rule: FaultRule,
        head: RequestHead,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        record: _Recorder,
    ) -> bool:
        if rule.kind == "reset":
            record(fault=rule.label, error="connection reset by fault injection")
            abort_with_reset(writer)
            return False
        if rule.kind == "stall":
            record(fault=rule.label, error=f"stalled {rule.stall_seconds:g}s by fault injection")
            await _stall(reader, rule.stall_seconds)
            writer.transport.abort()
            return False
        return await self._answer_error(rule, head, reader, writer, path, record)

    async def _answer_error(
        self,
        rule: FaultRule,
        head: RequestHead,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        record: _Recorder,
    ) -> bool:
        request_id = uuid.uuid4().hex[:16].upper()
        body = s3_error_body(rule.code, rule.error_message, path, request_id)
        head_only = head.method == "HEAD"
        headers = [
            ("Content-Type", "application/xml"),
            ("x-amz-request-id", request_id),
            ("Server", "remote-store-harness"),
        ]

        def drained(bytes_in: int) -> None:
            record(
                status=rule.status,
                fault=rule.label,
                bytes_in=bytes_in,
                bytes_out=0 if head_only else len(body),
            )

        return await answer_locally(
            head, reader, writer, rule.status, _reason(rule.status), body, headers,
            on_drained=drained, head_only=head_only,
        )  # fmt: skip


async def _stall(reader: asyncio.StreamReader, seconds: float) -> None:
    """Wait *seconds*, or less if the client closes its side first (input is discarded)."""

    async def until_eof() -> None:
        while await reader.read(64 * 1024):
            pass

    with contextlib.suppress(TimeoutError, ConnectionError, OSError):
        await asyncio.wait_for(until_eof(), seconds)
