"""SFTP backend connections: establishing them (with retry) and keeping one per thread.

Posture: **one connection per thread.** paramiko's ``SFTPClient`` multiplexes
requests over one channel and serialises them behind a lock, so a shared
client turns concurrent callers into a queue and one stalled transfer blocks
everybody. Each thread therefore lazily opens its own SSH connection the first
time it touches the backend; ``close()`` closes all of them (and threads that
have ended give theirs up the next time any thread connects).

Staleness: before handing out a cached connection its transport is checked
locally (no round trip); an inactive one is dropped and replaced. A connection
that dies *during* an operation is detected by that operation, which raises
``BackendUnavailable`` and drops the cached connection (``discard``) so the
next call reconnects.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import paramiko

from ..._redact import reveal_all
from ..._retry import RetryPolicy
from ._errors import is_permanent_connect_error, map_connect_error
from ._hostkeys import HostKeyTrust

__all__ = ["DEFAULT_RETRY", "ConnectSettings", "Connection", "ConnectionPool"]

log = logging.getLogger("remote_store.backends.sftp")

DEFAULT_RETRY = RetryPolicy(max_attempts=3, backoff_base=2.0, backoff_max=10.0, jitter=0.0)
"""Connect retry without an explicit policy: 3 attempts, exponential waits between 2 and 10 s."""


@dataclass(frozen=True)
class ConnectSettings:
    """Everything needed to open one authenticated SFTP session (credentials revealed lazily)."""

    host: str
    port: int
    username: str | None
    password: Callable[[], str | None]
    pkey: paramiko.PKey | None
    passphrase: Callable[[], str | None]
    trust: HostKeyTrust
    timeout: float
    io_timeout: float | None
    retry: RetryPolicy
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"{self.username + '@' if self.username else ''}{self.host}:{self.port}"


@dataclass
class Connection:
    """One thread's SSH client and the SFTP session opened on it."""

    ssh: paramiko.SSHClient
    sftp: paramiko.SFTPClient

    def is_alive(self) -> bool:
        transport = self.ssh.get_transport()
        return transport is not None and transport.is_active()

    def close(self) -> None:
        for closer in (self.sftp.close, self.ssh.close):
            try:
                closer()
            except Exception as exc:  # closing a dead connection may fail; nothing to recover
                log.debug("Ignoring error while closing an SFTP connection: %r", exc)


def _open_once(settings: ConnectSettings) -> Connection:
    ssh = paramiko.SSHClient()
    try:
        settings.trust.apply(ssh)
        password = settings.password()
        explicit_credentials = password is not None or settings.pkey is not None
        kwargs: dict[str, Any] = {
            "allow_agent": not explicit_credentials,
            "look_for_keys": not explicit_credentials,
        }
        kwargs.update(reveal_all(dict(settings.extra)))  # the SDK hand-off
        ssh.connect(
            settings.host,
            port=settings.port,
            username=settings.username,
            password=password,
            pkey=settings.pkey,
            passphrase=settings.passphrase(),
            timeout=settings.timeout,
            banner_timeout=settings.timeout,
            auth_timeout=settings.timeout,
            channel_timeout=settings.timeout,
            **kwargs,
        )
        return Connection(ssh=ssh, sftp=_open_sftp(ssh, settings))
    except BaseException:
        ssh.close()
        raise


def _open_sftp(ssh: paramiko.SSHClient, settings: ConnectSettings) -> paramiko.SFTPClient:
    """The SFTP session, with the VERSION handshake bounded too.

    ``SSHClient.open_sftp()`` waits for the server's VERSION packet with no timeout, so a
    server that accepts the ``sftp`` subsystem and then says nothing hung ``ping()`` forever.
    The channel gets its timeout before the handshake instead: ``io_timeout`` (or the connect
    ``timeout`` when I/O is unbounded), then ``io_timeout`` for the session's requests.
    """
    transport = ssh.get_transport()
    if transport is None:  # pragma: no cover - connect() succeeded, so there is a transport
        raise paramiko.SSHException("SSH transport closed before the SFTP session opened")
    channel = transport.open_session(timeout=settings.timeout)
    try:
        handshake = settings.io_timeout if settings.io_timeout is not None else settings.timeout
        channel.settimeout(handshake)
        channel.invoke_subsystem("sftp")
        sftp = paramiko.SFTPClient(channel)
    except BaseException:
        channel.close()
        raise
    channel.settimeout(settings.io_timeout)
    return sftp


def _delay(policy: RetryPolicy, attempt: int) -> float:
    """Wait after failed attempt number ``attempt`` (1-based): exponential, capped, plus jitter."""
    base = min(policy.backoff_max, policy.backoff_base * (2 ** (attempt - 1)))
    extra = random.uniform(0.0, policy.jitter) if policy.jitter else 0.0
    return float(base + extra)


def connect(settings: ConnectSettings) -> Connection:
    """Open a connection, retrying transient failures per ``settings.retry``.

    Authentication failures and host-key refusals are permanent and raised on
    the first attempt (as ``PermissionDenied``); exhausted retries raise
    ``BackendUnavailable`` with the last underlying error as ``__cause__``.
    """
    policy = settings.retry
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            return _open_once(settings)
        except Exception as exc:
            if is_permanent_connect_error(exc) or attempt >= policy.max_attempts:
                raise map_connect_error(exc, target=settings.target) from exc
            wait = _delay(policy, attempt)
            if policy.timeout is not None and time.monotonic() - started + wait > policy.timeout:
                raise map_connect_error(exc, target=settings.target) from exc
            log.debug(
                "SFTP connect to %s failed (attempt %d/%d): %r; retrying in %.2fs",
                settings.target,
                attempt,
                policy.max_attempts,
                exc,
                wait,
            )
            time.sleep(wait)


class ConnectionPool:
    """Thread-local connections with a registry so ``close_all`` reaches every thread's."""

    def __init__(self, settings: ConnectSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._by_thread: dict[int, tuple[threading.Thread, Connection]] = {}

    def get(self) -> Connection:
        """This thread's live connection, opening one if needed."""
        ident = threading.get_ident()
        with self._lock:
            held = self._by_thread.get(ident)
        if held is not None:
            conn = held[1]
            if conn.is_alive():
                return conn
            log.debug("SFTP transport of this thread went inactive; reconnecting")
            self.discard(conn)
        conn = connect(self._settings)
        stale: list[Connection] = []
        with self._lock:
            for other_ident, (thread, other) in list(self._by_thread.items()):
                if not thread.is_alive():
                    stale.append(other)
                    del self._by_thread[other_ident]
            self._by_thread[ident] = (threading.current_thread(), conn)
        for other in stale:
            other.close()
        return conn

    def current(self) -> Connection | None:
        with self._lock:
            held = self._by_thread.get(threading.get_ident())
        return held[1] if held is not None else None

    def discard(self, conn: Connection) -> None:
        """Forget and close ``conn`` (after it failed); the owning thread reconnects next time."""
        with self._lock:
            for ident, (_, held) in list(self._by_thread.items()):
                if held is conn:
                    del self._by_thread[ident]
        conn.close()

    def close_all(self) -> None:
        with self._lock:
            held = [conn for _, conn in self._by_thread.values()]
            self._by_thread.clear()
        for conn in held:
            conn.close()
