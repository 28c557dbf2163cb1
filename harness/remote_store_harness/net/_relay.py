"""Relay one HTTP/1.1 exchange from a client connection to a pooled upstream connection.

Shared by the gateway (reverse proxy) and the forward proxy's absolute-URI path. Bodies are
streamed in both directions with back-pressure (``drain`` after every piece), so memory stays
bounded by a few pieces whatever the body size. ``Expect: 100-continue`` is answered here (the
interim response goes to the client once an upstream connection exists, and the header is not
forwarded), because several S3 emulators do not implement it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import HarnessError
from ._aio import abort_with_reset
from ._http import (
    Framing,
    HttpProtocolError,
    RequestHead,
    ResponseHead,
    iter_body,
    parse_response_head,
    read_head,
    simple_response,
)
from ._pool import Connection, ConnectionPool

__all__ = ["Outcome", "ResponseTamper", "relay"]

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@dataclass
class Outcome:
    """What happened to one relayed request (handed to the caller's ``on_done`` callback)."""

    status: int | None = None
    upstream_seconds: float | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    error: str | None = None
    tampered: bool = False


@dataclass(frozen=True)
class ResponseTamper:
    """What to do to the upstream's answer after the request was relayed in full.

    ``kind`` is one of ``drop_response`` (read the whole answer, then reset the client without
    sending any of it), ``slow_headers`` (wait ``delay`` seconds before the head), ``truncate``
    (send the head and ``offset`` body bytes, then reset) or ``corrupt`` (invert the body byte at
    ``offset``; ``Content-Length``/``close`` framed bodies only). ``applied`` is set on the
    outcome when the tampering took place.
    """

    kind: str
    offset: int = 0
    delay: float = 0.0


class _UpstreamFailure(HarnessError):
    """The upstream failed mid-exchange; caught inside :func:`relay`, never escapes it."""


async def relay(
    head: RequestHead,
    *,
    target: str,
    headers: list[tuple[str, str]],
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    pool: ConnectionPool,
    on_done: Callable[[Outcome], None],
    tamper: ResponseTamper | None = None,
) -> bool:
    """Forward *head* (with *target* and *headers*) and its body; stream the answer back.

    ``on_done`` is called exactly once, before the last byte of the response reaches the
    client (or when the exchange fails). Returns whether the client connection may be reused.
    Client-side failures propagate (the caller drops the connection).
    """
    framing = head.framing()
    outcome = Outcome()
    client_keep = head.wants_keep_alive
    raw_head = head.encode(target=target, headers=headers)
    reported = False

    def report() -> None:
        nonlocal reported
        if not reported:
            reported = True
            on_done(outcome)

    conn: Connection | None = None
    try:
        response: ResponseHead | None = None
        for attempt in range(2):
            try:
                conn = await pool.acquire(fresh=attempt > 0)
            except OSError as exc:
                raise _UpstreamFailure(f"cannot connect upstream: {exc}") from exc
            started = time.perf_counter()
            try:
                try:
                    conn.writer.write(raw_head)
                    await conn.writer.drain()
                except (ConnectionError, OSError) as exc:
                    raise _UpstreamFailure(f"upstream closed: {exc}") from exc
                if not framing.empty:
                    if attempt == 0 and head.expects_continue:
                        client_writer.write(_CONTINUE)
                    await _pump_request(client_reader, conn, framing, outcome)
                response = await _read_response_head(conn)
            except _UpstreamFailure:
                pool.discard(conn)
                conn = None
                # A reused connection may have been closed by the server while idle; a request
                # without body can safely be sent again on a fresh connection.
                if attempt == 0 and framing.empty:
                    continue
                raise
            outcome.upstream_seconds = time.perf_counter() - started
            break
        assert response is not None and conn is not None
    except _UpstreamFailure as exc:
        if conn is not None:
            pool.discard(conn)
        outcome.status = 502
        outcome.error = str(exc)
        report()
        body = f"harness: bad gateway: {exc}\n".encode()
        client_writer.write(
            simple_response(502, "Bad Gateway", body, [("Content-Type", "text/plain")], close=True)
        )
        await client_writer.drain()
        return False
    except BaseException as exc:
        if conn is not None:
            pool.discard(conn)
        outcome.error = f"client: {type(exc).__name__}: {exc}"
        report()
        raise

    outcome.status = response.status
    response_framing = response.framing(head.method)
    if tamper is not None and tamper.kind == "drop_response":
        reusable = response.keeps_alive and response_framing.kind != "close"
        return await _drop_response(
            conn, pool, response_framing, reusable, client_writer, outcome, report
        )
    if tamper is not None and tamper.kind == "slow_headers":
        outcome.tampered = True
        await asyncio.sleep(tamper.delay)
    cut = tamper.offset if tamper is not None and tamper.kind == "truncate" else None
    flip = (
        tamper.offset
        if tamper is not None
        and tamper.kind == "corrupt"
        and response_framing.kind in ("length", "close")
        else None
    )
    keep_client = client_keep and response_framing.kind != "close"
    out_headers = response.forwardable()
    if not keep_client:
        out_headers.append(("Connection", "close"))
    upstream_reusable = response.keeps_alive and response_framing.kind != "close"
    finished = False
    try:
        if response_framing.empty:
            report()
            client_writer.write(response.encode(out_headers))
            await client_writer.drain()
        else:
            client_writer.write(response.encode(out_headers))
            try:
                async for raw, payload, last in iter_body(conn.reader, response_framing):
                    sent = outcome.bytes_out
                    if cut is not None and sent + payload > cut:
                        # Length/close framing: raw is payload, so cut exactly; chunked: stop
                        # before the chunk that crosses the limit.
                        keep = cut - sent if len(raw) == payload else 0
                        outcome.bytes_out += keep
                        outcome.tampered = True
                        outcome.error = f"response body truncated after {outcome.bytes_out} bytes"
                        report()
                        client_writer.write(raw[:keep])
                        await client_writer.drain()
                        pool.discard(conn)
                        abort_with_reset(client_writer)
                        return False
                    if flip is not None and sent <= flip < sent + payload:
                        raw = _invert_byte(raw, flip - sent)
                        outcome.tampered = True
                    outcome.bytes_out += payload
                    if last:
                        report()
                    client_writer.write(raw)
                    await client_writer.drain()
            except (HttpProtocolError, ConnectionError) as exc:
                outcome.error = f"upstream: {exc}"
                report()
                client_writer.transport.abort()
                return False
        finished = True
    finally:
        if not reported:
            outcome.error = outcome.error or "client went away during the response"
            report()
        if finished:
            pool.release(conn, reusable=upstream_reusable)
        else:
            pool.discard(conn)
    return keep_client


def _invert_byte(raw: bytes, index: int) -> bytes:
    return raw[:index] + bytes([raw[index] ^ 0xFF]) + raw[index + 1 :]


async def _drop_response(
    conn: Connection,
    pool: ConnectionPool,
    framing: Framing,
    reusable: bool,
    client_writer: asyncio.StreamWriter,
    outcome: Outcome,
    report: Callable[[], None],
) -> bool:
    """The lost acknowledgement: consume the upstream's whole answer, send the client nothing."""
    try:
        async for _raw, payload, _last in iter_body(conn.reader, framing):
            outcome.bytes_out += payload
    except (HttpProtocolError, ConnectionError):
        reusable = False
    outcome.tampered = True
    outcome.error = "response dropped by fault injection (the upstream acted on the request)"
    report()
    pool.release(conn, reusable=reusable)
    abort_with_reset(client_writer)
    return False


async def _pump_request(
    client_reader: asyncio.StreamReader,
    conn: Connection,
    framing: Framing,
    outcome: Outcome,
) -> None:
    async for raw, payload, _last in iter_body(client_reader, framing):
        outcome.bytes_in += payload
        try:
            conn.writer.write(raw)
            await conn.writer.drain()
        except (ConnectionError, OSError) as exc:
            raise _UpstreamFailure(f"upstream closed while receiving the body: {exc}") from exc


async def _read_response_head(conn: Connection) -> ResponseHead:
    try:
        while True:
            raw = await read_head(conn.reader)
            if raw is None:
                raise _UpstreamFailure("upstream closed the connection without answering")
            response = parse_response_head(raw)
            if response.status >= 200 or response.status == 101:
                return response
            # Interim 1xx (e.g. the upstream's own 100 Continue): not forwarded.
    except (ConnectionError, OSError, HttpProtocolError) as exc:
        raise _UpstreamFailure(f"upstream failed: {exc}") from exc
