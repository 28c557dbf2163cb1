"""A small asyncio HTTP forward proxy, standing in for a corporate proxy.

It speaks the two forms clients use: ``CONNECT host:port`` (a byte tunnel, for https) and
absolute-URI requests (``GET http://host:port/path``, for plain http, relayed with keep-alive,
chunked bodies and ``Expect: 100-continue`` answered by the proxy).

Names are resolved from a fixed map, never from DNS: exact names and ``*.suffix`` patterns map
to the ``(host, port)`` to connect to (the requested port is ignored for mapped names), so
``s3.test`` and ``bucket.s3.test`` reach the gateway although no resolver knows them. Unmapped
names are refused with 502, except ``localhost`` and loopback IP literals, which are reached
directly on the requested port. The proxy therefore never opens a connection off the machine
unless the map says so.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import ipaddress
import math
import time
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import quote, urlsplit

from ..errors import ProxyConfigError
from ..observe._requestlog import ProxyLog, ProxyRecord
from ._aio import LoopServer, abort_with_reset
from ._http import (
    PIECE,
    HttpProtocolError,
    RequestHead,
    answer_locally,
    serve_requests,
    simple_response,
)
from ._pool import ConnectionPool
from ._relay import Outcome, relay

__all__ = ["ForwardProxy", "ProxyConfigError"]

_REALM = "remote-store-harness"
_CONNECT_TIMEOUT = 10.0


def _split_authority(authority: str, default_port: int) -> tuple[str, int]:
    """``host:port`` / ``[v6]:port`` / ``host`` -> (host, port)."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise HttpProtocolError(f"bad authority {authority!r}")
        host, rest = authority[1:end], authority[end + 1 :]
        port_text = rest[1:] if rest.startswith(":") else ""
    elif authority.count(":") == 1:
        host, port_text = authority.split(":")
    else:
        host, port_text = authority, ""
    if port_text and not port_text.isdigit():
        raise HttpProtocolError(f"bad port in {authority!r}")
    return host, int(port_text) if port_text else default_port


def _format_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ForwardProxy(LoopServer):
    """Forward proxy on ``host`` port 0; see the module docstring for resolution rules.

    With ``auth=(user, password)`` every request must carry matching ``Proxy-Authorization:
    Basic`` credentials, else it is answered ``407`` with ``Proxy-Authenticate``.
    """

    _name = "harness-forward-proxy"

    def __init__(
        self,
        *,
        resolve: Mapping[str, tuple[str, int]] | None = None,
        auth: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        log: ProxyLog | None = None,
        idle_timeout: float = 60.0,
        header_timeout: float = 10.0,
    ) -> None:
        super().__init__(host=host)
        for option, value in (("idle_timeout", idle_timeout), ("header_timeout", header_timeout)):
            if not math.isfinite(value) or value <= 0:
                raise ProxyConfigError(f"{option} must be a finite number > 0, got {value!r}")
        self._idle_timeout = idle_timeout
        self._header_timeout = header_timeout
        self._resolve: dict[str, tuple[str, int]] = {}
        for name, address in (resolve or {}).items():
            self.map(name, address)
        if auth is not None and (":" in auth[0] or not auth[0]):
            raise ProxyConfigError("proxy user name must be non-empty and contain no ':'")
        self._auth = auth
        self._expected_auth = (
            base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode() if auth else None
        )
        self.log = log if log is not None else ProxyLog()
        self._pools: dict[tuple[str, int], ConnectionPool] = {}

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"ForwardProxy({where}, names={sorted(self._resolve)})"

    # -- configuration ----------------------------------------------------------------------
    def map(self, name: str, address: tuple[str, int]) -> None:
        """Add or replace a resolve entry (``s3.test`` or ``*.s3.test``); safe while running."""
        key = name.lower().rstrip(".")
        if not key or (key.startswith("*") and not key.startswith("*.")) or "*" in key[1:]:
            raise ProxyConfigError(f"bad name pattern {name!r}; use 'name' or '*.suffix'")
        host, port = address
        if not host or not 0 < int(port) < 65536:
            raise ProxyConfigError(f"bad address {address!r} for {name!r}")
        # Copy-on-write so the loop thread never sees a dict being mutated.
        self._resolve = {**self._resolve, key: (host, int(port))}

    @property
    def resolve_map(self) -> dict[str, tuple[str, int]]:
        return dict(self._resolve)

    @property
    def auth(self) -> tuple[str, str] | None:
        return self._auth

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (only valid while running)."""
        return f"http://{_format_address(self._host, self.port)}"

    def url_with_credentials(self, user: str | None = None, password: str | None = None) -> str:
        """Proxy URL with userinfo; defaults to the configured credentials."""
        if user is None or password is None:
            if self._auth is None:
                raise ProxyConfigError("no credentials given and the proxy has none configured")
            user, password = self._auth
        userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return f"http://{userinfo}@{_format_address(self._host, self.port)}"

    def lookup(self, host: str, port: int) -> tuple[str, int] | None:
        """Where a request for ``host:port`` goes, or ``None`` if the proxy refuses it."""
        name = host.lower().rstrip(".")
        table = self._resolve
        if name in table:
            return table[name]
        best: tuple[int, tuple[str, int]] | None = None
        for pattern, address in table.items():
            fits = pattern.startswith("*.") and name.endswith(pattern[1:])
            if fits and (best is None or len(pattern) > best[0]):
                best = (len(pattern), address)
        if best is not None:
            return best[1]
        if name == "localhost":
            return "127.0.0.1", port
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            return None
        return (name, port) if ip.is_loopback else None

    async def _close_resources(self) -> None:
        for pool in list(self._pools.values()):
            await pool.close_all()
        self._pools.clear()

    # -- per connection ---------------------------------------------------------------------
    def _authenticated(self, head: RequestHead) -> bool:
        value = head.get("proxy-authorization")
        if value is None or self._expected_auth is None:
            return False
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(token.strip().encode(), self._expected_auth.encode())

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_requests(
            reader,
            writer,
            self._serve,
            idle_timeout=self._idle_timeout,
            header_timeout=self._header_timeout,
        )

    async def _serve(
        self, head: RequestHead, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        seq = self.log.next_seq()
        started_at = time.time()
        authenticated = self._authenticated(head)
        is_connect = head.method == "CONNECT"
        uri = None if is_connect else head.target
        # What the client asked for: the raw target until it parses, then ``host:port``.
        target = head.target

        def record(status: int | None, upstream: str | None, error: str | None = None) -> None:
            self.log.append(
                ProxyRecord(
                    seq=seq,
                    started_at=started_at,
                    method=head.method,
                    target=target,
                    uri=uri,
                    status=status,
                    authenticated=authenticated,
                    upstream=upstream,
                    error=error,
                )
            )

        try:
            if is_connect:
                host, port = _split_authority(head.target, 443)
            else:
                parts = urlsplit(head.target)
                if parts.scheme != "http" or not parts.hostname:
                    raise HttpProtocolError(
                        "expected CONNECT or an absolute http:// URI (this is a proxy)"
                    )
                host, port = parts.hostname, parts.port or 80
        except (HttpProtocolError, ValueError) as exc:
            return await self._refuse(head, reader, writer, record, 400, "Bad Request", str(exc))
        target = _format_address(host, port)

        if self._auth is not None and not authenticated:
            return await self._refuse(
                head, reader, writer, record,
                407, "Proxy Authentication Required", "proxy credentials missing or wrong",
            )  # fmt: skip
        destination = self.lookup(host, port)
        if destination is None:
            return await self._refuse(
                head, reader, writer, record,
                502, "Bad Gateway", f"the harness proxy does not resolve {host!r}",
            )  # fmt: skip
        upstream = _format_address(*destination)

        if is_connect:
            await self._tunnel(reader, writer, destination, record)
            return False

        pool = self._pools.get(destination)
        if pool is None:
            pool = self._pools[destination] = ConnectionPool(*destination)
        parts = urlsplit(head.target)
        origin_form = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = head.forwardable(extra_drop={"expect", "proxy-authorization"})
        if head.get("host") is None:
            headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))

        def done(outcome: Outcome) -> None:
            record(outcome.status, upstream, outcome.error)

        return await relay(
            head,
            target=origin_form,
            headers=headers,
            client_reader=reader,
            client_writer=writer,
            pool=pool,
            on_done=done,
        )

    async def _refuse(
        self,
        head: RequestHead,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        record: _Recorder,
        status: int,
        reason: str,
        detail: str,
    ) -> bool:
        """Answer with an error (a refused CONNECT also ends the connection)."""
        extra = [("Content-Type", "text/plain")]
        if status == 407:
            extra.append(("Proxy-Authenticate", f'Basic realm="{_REALM}"'))
        return await answer_locally(
            head, reader, writer, status, reason, f"harness proxy: {detail}\n".encode(), extra,
            on_drained=lambda _bytes_in: record(status, None, detail),
            close=head.method == "CONNECT",
        )  # fmt: skip

    async def _tunnel(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        destination: tuple[str, int],
        record: _Recorder,
    ) -> None:
        upstream = _format_address(*destination)
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(*destination), _CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError) as exc:
            record(502, upstream, f"cannot connect: {exc}")
            writer.write(
                simple_response(
                    502, "Bad Gateway", f"harness proxy: cannot connect to {upstream}\n".encode(),
                    close=True,
                )
            )  # fmt: skip
            await writer.drain()
            return
        try:
            record(200, upstream)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _pipe_both(reader, writer, up_reader, up_writer)
        finally:
            up_writer.transport.abort()


class _Recorder(Protocol):
    """The per-request ``record(status, upstream, error)`` closure: appends its record."""

    def __call__(
        self, status: int | None, upstream: str | None, error: str | None = None
    ) -> None: ...


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    while True:
        data = await src.read(PIECE)
        if not data:
            break
        dst.write(data)
        await dst.drain()
    if dst.can_write_eof() and not dst.transport.is_closing():
        dst.write_eof()


async def _pipe_both(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    """Copy bytes both ways until both directions ended. An abortive close (RST) on one side
    is passed on as an abortive close of the other, so injected resets stay visible."""
    upward = asyncio.ensure_future(_pipe(client_reader, up_writer))
    downward = asyncio.ensure_future(_pipe(up_reader, client_writer))
    try:
        pending: set[asyncio.Future[None]] = {upward, downward}
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task.exception() is not None:
                    abort_with_reset(client_writer)
                    abort_with_reset(up_writer)
                    return
    finally:
        for task in (upward, downward):
            if not task.done():
                task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(upward, downward, return_exceptions=True)
