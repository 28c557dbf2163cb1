"""Keep-alive pool of plain TCP connections to one upstream ``host:port`` (event-loop local)."""

from __future__ import annotations

import asyncio
import contextlib
import time

__all__ = ["Connection", "ConnectionPool"]


class Connection:
    """One upstream connection; ``reused`` tells whether it served a request before."""

    __slots__ = ("idle_since", "reader", "reused", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reused = False
        self.idle_since = 0.0

    @property
    def alive(self) -> bool:
        return not self.reader.at_eof() and not self.writer.transport.is_closing()

    def close(self) -> None:
        self.writer.transport.abort()


class ConnectionPool:
    """Hands out idle connections (newest first) or opens new ones.

    Idle connections older than ``idle_timeout`` or already closed by the peer are discarded, so
    a server's own keep-alive timeout rarely bites; callers still retry a body-less request once
    when a reused connection turns out dead.
    """

    def __init__(
        self, host: str, port: int, *, max_idle: int = 64, idle_timeout: float = 20.0
    ) -> None:
        self.host = host
        self.port = port
        self._max_idle = max_idle
        self._idle_timeout = idle_timeout
        self._idle: list[Connection] = []
        self._busy: set[Connection] = set()

    async def acquire(self, *, fresh: bool = False) -> Connection:
        now = time.monotonic()
        while self._idle and not fresh:
            conn = self._idle.pop()
            if conn.alive and now - conn.idle_since < self._idle_timeout:
                conn.reused = True
                self._busy.add(conn)
                return conn
            conn.close()
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=256 * 1024)
        conn = Connection(reader, writer)
        self._busy.add(conn)
        return conn

    def release(self, conn: Connection, *, reusable: bool) -> None:
        """Return *conn*; it is closed unless *reusable* and still healthy."""
        self._busy.discard(conn)
        if reusable and conn.alive and len(self._idle) < self._max_idle:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()

    def discard(self, conn: Connection) -> None:
        self._busy.discard(conn)
        conn.close()

    @property
    def idle_count(self) -> int:
        return len(self._idle)

    async def close_all(self) -> None:
        conns = [*self._idle, *self._busy]
        self._idle.clear()
        self._busy.clear()
        for conn in conns:
            conn.close()
        for conn in conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.writer.wait_closed(), 1.0)
