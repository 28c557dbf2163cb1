"""Run an asyncio TCP server on a private event loop in a background thread.

The harness servers are used from synchronous test code, so each owns a thread with its own
loop. :class:`LoopServer` takes care of the life cycle every server needs: bind on loopback port
0, track every connection handler, and on :meth:`~LoopServer.stop` close the listener, cancel
and abort every connection, close pooled upstream sockets, shut the default executor down, stop
the loop and join the thread. Nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import struct
import threading
from collections.abc import Coroutine
from typing import Any, Self, TypeVar

from .._lifecycle import StartStop
from ..errors import ServerStateError
from ._http import HttpProtocolError

__all__ = ["LoopServer", "ServerStateError", "abort_with_reset"]

_log = logging.getLogger("remote_store_harness")
_T = TypeVar("_T")

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def abort_with_reset(writer: asyncio.StreamWriter) -> None:
    """Close the connection so the peer sees a TCP RST (``SO_LINGER`` 0), not a clean FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class LoopServer(StartStop):
    """Base class: subclasses implement :meth:`handle` (one call per accepted connection)."""

    _name = "harness-server"

    def __init__(self, *, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None):
        self._host = host
        self._ssl_context = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._port: int | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind and start serving; returns self once the port is known."""
        if self._thread is not None:
            raise ServerStateError(f"{type(self).__name__} already started")
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_exception_handler)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._loop, self._thread = loop, thread
        thread.start()
        ready.wait(_START_TIMEOUT)
        try:
            self._server = self._call(self._open_listener(), _START_TIMEOUT)
        except BaseException:
            self._halt_loop()
            raise
        sockets = self._server.sockets
        self._port = int(sockets[0].getsockname()[1])
        return self

    async def _open_listener(self) -> asyncio.Server:
        # TLS is started inside the tracked connection task (not by the listener), so that a
        # client stuck in its handshake is still closed by stop().
        return await asyncio.start_server(self._accept, self._host, 0, limit=256 * 1024)

    def stop(self) -> None:
        """Close the listener and every connection, then join the thread. Idempotent."""
        if self._thread is None or self._loop is None:
            return
        try:
            if self._loop.is_running():
                self._call(self._shutdown(), _STOP_TIMEOUT)
        finally:
            self._halt_loop()

    def _halt_loop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(_STOP_TIMEOUT)
        if not loop.is_running():
            loop.close()
        self._loop, self._thread, self._server = None, None, None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for writer in list(self._writers):
            writer.transport.abort()
        if tasks:
            await asyncio.wait(tasks, timeout=_STOP_TIMEOUT)
        await self._close_resources()
        if self._server is not None:
            await self._server.wait_closed()
        # Let transports run their connection_lost callbacks before the loop stops.
        for _ in range(3):
            await asyncio.sleep(0)
        await asyncio.get_running_loop().shutdown_default_executor()

    async def _close_resources(self) -> None:
        """Hook for subclasses: close pooled upstream connections and the like."""

    # -- properties -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        if self._port is None or self._thread is None:
            raise ServerStateError(f"{type(self).__name__} is not running; call start() first")
        return self._port

    @property
    def open_connections(self) -> int:
        """Client connections currently open (for leak checks and keep-alive tests)."""
        return len(self._writers)

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float) -> _T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def call(self, coro: Coroutine[Any, Any, _T], timeout: float = _STOP_TIMEOUT) -> _T:
        """Run *coro* on the server's loop from another thread and return its result."""
        if self._loop is None:
            raise ServerStateError(f"{type(self).__name__} is not running")
        return self._call(coro, timeout)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            if self._ssl_context is not None:
                await writer.start_tls(self._ssl_context, ssl_handshake_timeout=10.0)
            await self.handle(reader, writer)
        except asyncio.CancelledError:
            writer.transport.abort()
            raise
        except (
            ConnectionError,
            ssl.SSLError,
            asyncio.IncompleteReadError,
            TimeoutError,
            HttpProtocolError,
        ) as exc:
            # A peer that vanishes (or speaks garbage) is normal in fault tests: one line.
            _log.info("%s: client connection ended: %s", type(self).__name__, _describe(exc))
            writer.transport.abort()
        except Exception:
            _log.exception("%s: connection handler failed", type(self).__name__)
            writer.transport.abort()
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2.0)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Failed TLS handshakes and peers vanishing are normal in negative tests: log at debug."""
    exc = context.get("exception")
    if isinstance(exc, (ssl.SSLError, ConnectionError, asyncio.CancelledError, TimeoutError)):
        _log.debug("harness loop: %s", context.get("message"), exc_info=exc)
        return
    loop.default_exception_handler(context)
