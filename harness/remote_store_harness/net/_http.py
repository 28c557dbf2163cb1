"""Just enough HTTP/1.1 for a streaming reverse proxy and a forward proxy.

Heads are parsed whole (bounded by the stream reader's limit); bodies are never held whole:
:func:`iter_body` yields pieces of at most :data:`PIECE` bytes, keeping ``Transfer-Encoding:
chunked`` framing byte-for-byte (chunk extensions and trailers included) so that signed
``aws-chunked`` payloads pass untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from ..errors import HeadTimeout, HttpProtocolError, IncompleteBody

__all__ = [
    "PIECE",
    "Framing",
    "HeadTimeout",
    "HttpProtocolError",
    "RequestHead",
    "ResponseHead",
    "answer_locally",
    "discard_body",
    "iter_body",
    "read_head",
    "serve_requests",
]

PIECE = 64 * 1024
_HEAD_END = b"\r\n\r\n"

#: Hop-by-hop headers never forwarded (RFC 9110 7.6.1 plus the de-facto Proxy-Connection).
#: ``transfer-encoding`` is kept because bodies are relayed with their framing intact.
HOP_BY_HOP: frozenset[str] = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "upgrade", "proxy-authenticate"}
)


class _Headers:
    headers: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        key = name.lower()
        for k, v in self.headers:
            if k.lower() == key:
                return v
        return None

    def get_all(self, name: str) -> list[str]:
        key = name.lower()
        return [v for k, v in self.headers if k.lower() == key]

    def tokens(self, name: str) -> set[str]:
        """Comma-separated tokens of all *name* headers, lower-cased."""
        return {
            token.strip().lower()
            for value in self.get_all(name)
            for token in value.split(",")
            if token.strip()
        }

    def without(self, names: Iterable[str]) -> list[tuple[str, str]]:
        drop = {n.lower() for n in names}
        return [(k, v) for k, v in self.headers if k.lower() not in drop]

    def forwardable(self, extra_drop: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Headers minus hop-by-hop ones, those named in ``Connection`` and *extra_drop*."""
        return self.without(HOP_BY_HOP | self.tokens("connection") | set(extra_drop))


@dataclass
class RequestHead(_Headers):
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def wants_keep_alive(self) -> bool:
        tokens = self.tokens("connection")
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    @property
    def expects_continue(self) -> bool:
        value = self.get("expect")
        return value is not None and value.strip().lower() == "100-continue"

    def framing(self) -> Framing:
        if "chunked" in self.tokens("transfer-encoding"):
            return Framing("chunked")
        length = self.get("content-length")
        if length is None:
            return Framing("none")
        return Framing("length", _parse_length(length))

    def encode(
        self, target: str | None = None, headers: list[tuple[str, str]] | None = None
    ) -> bytes:
        lines = [f"{self.method} {target or self.target} HTTP/1.1"]
        lines.extend(f"{k}: {v}" for k, v in (self.headers if headers is None else headers))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class ResponseHead(_Headers):
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def keeps_alive(self) -> bool:
        tokens = self.tokens("connection")
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    def framing(self, request_method: str) -> Framing:
        if request_method == "HEAD" or self.status in (204, 304) or 100 <= self.status < 200:
            return Framing("none")
        if "chunked" in self.tokens("transfer-encoding"):
            return Framing("chunked")
        length = self.get("content-length")
        if length is None:
            return Framing("close")
        return Framing("length", _parse_length(length))

    def encode(self, headers: list[tuple[str, str]] | None = None) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {self.reason}"]
        lines.extend(f"{k}: {v}" for k, v in (self.headers if headers is None else headers))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class Framing:
    """How a body is delimited: ``none``, ``length`` (with ``length``), ``chunked``, ``close``."""

    kind: str
    length: int = 0

    @property
    def empty(self) -> bool:
        return self.kind == "none" or (self.kind == "length" and self.length == 0)


def _parse_length(value: str) -> int:
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1:
        raise HttpProtocolError(f"conflicting Content-Length {value!r}")
    text = values.pop()
    if not text.isdigit():
        raise HttpProtocolError(f"bad Content-Length {value!r}")
    return int(text)


async def read_head(reader: asyncio.StreamReader) -> bytes | None:
    """Read up to and including the blank line; ``None`` on a clean EOF before any byte."""
    try:
        return await reader.readuntil(_HEAD_END)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpProtocolError("connection closed inside a message head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpProtocolError("message head too large") from exc


def _split_head(raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    # Tolerate (rare) empty lines before the start line, as RFC 9112 2.2 allows.
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise HttpProtocolError("empty message head")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpProtocolError(f"malformed header line {line!r}")
        headers.append((name, value.strip()))
    return lines[0], headers


def parse_request_head(raw: bytes) -> RequestHead:
    start, headers = _split_head(raw)
    parts = start.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpProtocolError(f"malformed request line {start!r}")
    return RequestHead(parts[0].upper(), parts[1], parts[2], headers)


def parse_response_head(raw: bytes) -> ResponseHead:
    start, headers = _split_head(raw)
    version, _, rest = start.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise HttpProtocolError(f"malformed status line {start!r}")
    return ResponseHead(version, int(code), reason, headers)


async def _read_exactly_some(reader: asyncio.StreamReader, limit: int) -> bytes:
    data = await reader.read(min(limit, PIECE))
    if not data:
        raise IncompleteBody("peer closed the connection inside a body")
    return data


async def iter_body(
    reader: asyncio.StreamReader, framing: Framing
) -> AsyncIterator[tuple[bytes, int, bool]]:
    """Yield ``(raw_bytes, payload_bytes, is_last)`` pieces of a body.

    ``raw_bytes`` is what to relay (chunk framing included), ``payload_bytes`` how much of it is
    body content. The final piece has ``is_last`` set (for ``close`` framing it is an empty piece
    at EOF). Nothing is yielded for an empty body.
    """
    if framing.kind == "length":
        remaining = framing.length
        while remaining > 0:
            data = await _read_exactly_some(reader, remaining)
            remaining -= len(data)
            yield data, len(data), remaining == 0
    elif framing.kind == "close":
        while True:
            data = await reader.read(PIECE)
            if not data:
                yield b"", 0, True
                return
            yield data, len(data), False
    elif framing.kind == "chunked":
        async for piece in _iter_chunked(reader):
            yield piece


async def _iter_chunked(reader: asyncio.StreamReader) -> AsyncIterator[tuple[bytes, int, bool]]:
    while True:
        try:
            line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise IncompleteBody("bad or truncated chunk size line") from exc
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise HttpProtocolError(f"bad chunk size {size_text!r}") from exc
        if size == 0:
            trailer = bytearray(line)
            while True:
                try:
                    tline = await reader.readuntil(b"\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                    raise IncompleteBody("truncated chunked trailer") from exc
                trailer += tline
                if tline == b"\r\n":
                    break
            yield bytes(trailer), 0, True
            return
        pending = line
        remaining = size
        while remaining > 0:
            data = await _read_exactly_some(reader, remaining)
            remaining -= len(data)
            if remaining == 0:
                try:
                    crlf = await reader.readexactly(2)
                except asyncio.IncompleteReadError as exc:
                    raise IncompleteBody("truncated chunk") from exc
                if crlf != b"\r\n":
                    raise HttpProtocolError("chunk not followed by CRLF")
                yield pending + data + crlf, len(data), False
            else:
                yield pending + data, len(data), False
            pending = b""


async def discard_body(head: RequestHead, reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read and drop the request body before an answer the server makes up itself.

    Returns ``(payload_bytes, reusable)``. A client that sent ``Expect: 100-continue`` waits for
    ``100 Continue`` before its body; answering with a final status means it will not send it
    (some clients send it anyway), so nothing is read and the connection is not ``reusable``.
    """
    framing = head.framing()
    if framing.empty:
        return 0, True
    if head.expects_continue:
        return 0, False
    payload_bytes = 0
    async for _raw, payload, _last in iter_body(reader, framing):
        payload_bytes += payload
    return payload_bytes, True


async def answer_locally(
    head: RequestHead,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    status: int,
    reason: str,
    body: bytes,
    headers: Iterable[tuple[str, str]],
    *,
    on_drained: Callable[[int], None],
    close: bool = False,
    head_only: bool = False,
) -> bool:
    """Answer *head* with a response made up here (a refusal, an injected error), not relayed.

    The body the client may already be sending is read and dropped first (:func:`discard_body`)
    so that the connection can serve the next request; it is closed after the answer when the
    client does not keep it alive, the body was not drained, or the caller says *close*.
    ``on_drained(payload_bytes)`` runs before the answer is written, so that whatever it records
    exists by the time the client reads the answer. Returns whether the connection stays open.
    """
    bytes_in, reusable = await discard_body(head, reader)
    close = close or not (head.wants_keep_alive and reusable)
    on_drained(bytes_in)
    writer.write(simple_response(status, reason, body, headers, close=close, head_only=head_only))
    await writer.drain()
    return not close


#: Serves one request whose head has been read; returns whether the connection stays open.
RequestServer = Callable[[RequestHead, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


async def read_head_within(
    reader: asyncio.StreamReader, idle_timeout: float | None, header_timeout: float | None
) -> bytes | None:
    """:func:`read_head` with two bounds: *idle_timeout* for the first byte of the head (an
    idle keep-alive connection: ``None`` is returned, as for EOF) and *header_timeout* for the
    rest of it (:class:`HeadTimeout`)."""
    if idle_timeout is None and header_timeout is None:
        return await read_head(reader)
    try:
        first = await asyncio.wait_for(reader.read(1), idle_timeout)
    except TimeoutError:
        return None
    if not first:
        return None
    try:
        rest = await asyncio.wait_for(read_head(reader), header_timeout)
    except TimeoutError:
        raise HeadTimeout("request head not complete in time") from None
    if rest is None:
        raise HttpProtocolError("connection closed inside a message head")
    return first + rest


async def serve_requests(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    serve: RequestServer,
    *,
    idle_timeout: float | None = None,
    header_timeout: float | None = None,
) -> None:
    """The per-connection loop of a keep-alive HTTP/1.1 server.

    Reads request heads until the client closes or *serve* says the connection is done. A head
    that does not parse, or whose body framing is invalid, is answered ``400`` and the
    connection closed: after a bad head the byte stream cannot be trusted to resynchronise.
    A connection idle for *idle_timeout* seconds between requests is closed; a head not complete
    *header_timeout* seconds after its first byte is answered ``408`` and the connection closed.
    """
    while True:
        try:
            raw = await read_head_within(reader, idle_timeout, header_timeout)
        except HeadTimeout as exc:
            writer.write(simple_response(408, "Request Timeout", f"{exc}\n".encode(), close=True))
            await writer.drain()
            return
        if raw is None:
            return
        try:
            head = parse_request_head(raw)
            head.framing()
        except HttpProtocolError as exc:
            writer.write(simple_response(400, "Bad Request", f"{exc}\n".encode(), close=True))
            await writer.drain()
            return
        if not await serve(head, reader, writer):
            return


def simple_response(
    status: int,
    reason: str,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    *,
    close: bool = False,
    head_only: bool = False,
) -> bytes:
    """A complete response with a ``Content-Length`` body (omitted for ``head_only``)."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines.extend(f"{k}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {0 if head_only else len(body)}")
    if close:
        lines.append("Connection: close")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return raw if head_only else raw + body
