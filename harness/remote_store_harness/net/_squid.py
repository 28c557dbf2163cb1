"""Squid as the forward proxy of a topology: what corporate users actually sit behind.

Our own :class:`~remote_store_harness.net.ForwardProxy` is the right tool for logs and faults;
Squid brings a real proxy's CONNECT policy, port ACLs, ``407`` with ``Proxy-Authenticate: Basic``
and keep-alive behaviour. :class:`SquidProxy` runs Debian's ``/usr/sbin/squid`` in the foreground
on a free loopback port with a generated configuration in a temporary directory:

* only the given ports may be reached (``CONNECT`` and plain requests alike), from loopback only;
* host names resolve through a generated hosts file (``s3.test`` and the names given to
  :meth:`SquidProxy.start` -> 127.0.0.1). A hosts file has no wildcards, so ``*.s3.test`` covers
  only the names listed (:meth:`SquidProxy.add_host` adds one and reconfigures Squid);
* with ``auth=(user, password)`` Basic proxy authentication through ``basic_ncsa_auth`` and an
  htpasswd file written by ``htpasswd`` (apache2-utils);
* nothing is cached.

:attr:`SquidProxy.log` reads Squid's ``access.log`` into :class:`ProxyRecord` values. Squid
writes a line when a transaction *ends*: a ``CONNECT`` tunnel appears only once the client has
closed it (close the client, or the store, before asserting on it); every read of the log waits
until no new line arrived for 0.15 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Self
from urllib.parse import quote

from .._lifecycle import StartStop
from ..errors import NetError
from ..observe._requestlog import ProxyLog, ProxyRecord

__all__ = ["SQUID_BINARY", "SquidProxy", "SquidUnavailable", "squid_missing_reason"]

SQUID_BINARY = "/usr/sbin/squid"
_NCSA_AUTH = "/usr/lib/squid/basic_ncsa_auth"
_LOG_FORMAT = "%ts.%03tu %rm %ru %>Hs %un %<a:%<p"


class SquidUnavailable(NetError):
    """Squid (or the htpasswd tool its Basic auth needs) is not installed here."""


def squid_missing_reason(*, auth: bool = False) -> str | None:
    """Why Squid cannot run here (None when it can); the text is meant for a skip message."""
    if not os.access(SQUID_BINARY, os.X_OK):
        return f"{SQUID_BINARY} is not installed (apt-get install squid)"
    if auth and not os.access(_NCSA_AUTH, os.X_OK):
        return f"{_NCSA_AUTH} is missing (part of Debian's squid package)"
    if auth and shutil.which("htpasswd") is None:
        return "htpasswd is not installed (apt-get install apache2-utils)"
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _AccessLog(ProxyLog):
    """A :class:`ProxyLog` filled from Squid's access.log whenever it is read."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._offset = 0

    def refresh(self, settle: float = 0.0) -> None:
        """Read new lines; with ``settle`` > 0, keep reading until no line arrived for that
        long (Squid logs a transaction just after it ends), at most 2 seconds."""
        self._read()
        if settle <= 0:
            return
        deadline = time.monotonic() + 2.0
        quiet_since = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet_since < settle:
            time.sleep(0.03)
            if self._read():
                quiet_since = time.monotonic()

    def _read(self) -> bool:
        try:
            with self._path.open("rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return False
        end = data.rfind(b"\n") + 1
        self._offset += end
        for line in data[:end].decode("utf-8", "replace").splitlines():
            record = self._parse(line)
            if record is not None:
                self.append(record)
        return end > 0

    def _parse(self, line: str) -> ProxyRecord | None:
        parts = line.split()
        if len(parts) != 6:
            return None
        stamp, method, url, status, user, upstream = parts
        if method == "-":  # a connection that sent no request (e.g. the start-up probe)
            return None
        connect = method == "CONNECT"
        return ProxyRecord(
            seq=self.next_seq(),
            started_at=float(stamp),
            method=method,
            target=url if connect else url.split("/")[2] if "://" in url else url,
            uri=None if connect else url,
            status=int(status) if status.isdigit() else None,
            authenticated=user != "-",
            upstream=None if upstream.startswith("-") else upstream,
        )

    # Every read settles for a moment, so lines of transactions that just ended are in, and a
    # mark never leaves an earlier transaction's late line to show up after it.
    _SETTLE = 0.15

    def records(self) -> list[ProxyRecord]:
        self.refresh(self._SETTLE)
        return super().records()

    def mark(self) -> int:
        self.refresh(self._SETTLE)
        return super().mark()

    def since(self, mark: int) -> list[ProxyRecord]:
        self.refresh(self._SETTLE)
        return super().since(mark)


class SquidProxy(StartStop):
    """Squid on loopback (see the module docstring). ``ports``: the only ports it may reach."""

    def __init__(
        self,
        *,
        ports: Iterable[int],
        hosts: Iterable[str] = ("s3.test",),
        auth: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
    ) -> None:
        self._ports = sorted({int(p) for p in ports})
        if not self._ports:
            raise NetError("SquidProxy needs at least one allowed port")
        self._hosts = list(dict.fromkeys(h.lower() for h in hosts))
        self._auth = auth
        self._host = host
        self._timeout = startup_timeout
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self.log: ProxyLog = ProxyLog()
        #: Seconds from spawning Squid to its port accepting connections (None until started).
        self.startup_seconds: float | None = None

    def __repr__(self) -> str:
        return f"SquidProxy({self.url if self._port else 'stopped'})"

    # -- configuration ---------------------------------------------------------------------------
    def _config(self, root: Path) -> str:
        ports = " ".join(str(p) for p in self._ports)
        lines = [
            f"http_port {self._host}:{self._port}",
            f"pid_filename {root / 'squid.pid'}",
            f"cache_log {root / 'cache.log'}",
            f"logformat harness {_LOG_FORMAT}",
            f"access_log stdio:{root / 'access.log'} harness",
            f"hosts_file {root / 'hosts'}",
            f"coredump_dir {root}",
            "cache deny all",
            "cache_mem 8 MB",
            "shutdown_lifetime 0 seconds",
            "forwarded_for delete",
            "via off",
            f"acl harness_ports port {ports}",
            f"acl harness_clients src {self._host}/32",
            "http_access deny !harness_ports",
            "http_access deny !harness_clients",
        ]
        if self._auth is not None:
            lines += [
                f"auth_param basic program {_NCSA_AUTH} {root / 'htpasswd'}",
                "auth_param basic realm remote-store-harness",
                "acl harness_users proxy_auth REQUIRED",
                "http_access deny !harness_users",
            ]
        lines += ["http_access allow all"]
        return "\n".join(line for line in lines if line) + "\n"

    def _write_hosts(self, root: Path) -> None:
        names = " ".join(self._hosts) or "s3.test"
        (root / "hosts").write_text(f"127.0.0.1 localhost {names}\n", encoding="utf-8")

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._proc is not None:
            return self
        missing = squid_missing_reason(auth=self._auth is not None)
        if missing is not None:
            raise SquidUnavailable(missing)
        self._dir = tempfile.TemporaryDirectory(prefix="squid-harness-")
        root = Path(self._dir.name)
        os.chmod(root, 0o777)  # Squid started as root drops to its own user, which writes here
        self._port = _free_port(self._host)
        self._write_hosts(root)
        if self._auth is not None:
            user, password = self._auth
            subprocess.run(
                ["htpasswd", "-b", "-c", str(root / "htpasswd"), user, password],
                check=True,
                capture_output=True,
            )
            os.chmod(root / "htpasswd", 0o644)
        config = root / "squid.conf"
        config.write_text(self._config(root), encoding="utf-8")
        self.log = _AccessLog(root / "access.log")
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [SQUID_BINARY, "-N", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = started + self._timeout
        while True:
            if self._proc.poll() is not None:
                detail = self._cache_log_tail()
                self.stop()
                raise NetError(f"squid exited at start-up; cache.log: {detail}")
            try:
                with socket.create_connection((self._host, self._port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    detail = self._cache_log_tail()
                    self.stop()
                    raise NetError(f"squid did not listen in time; cache.log: {detail}") from None
                time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started
        return self

    def _cache_log_tail(self) -> str:
        if self._dir is None:
            return ""
        try:
            return (Path(self._dir.name) / "cache.log").read_text("utf-8", "replace")[-1500:]
        except OSError:
            return ""

    def add_host(self, name: str) -> None:
        """Resolve ``name`` to 127.0.0.1 too (e.g. ``bucket.s3.test``); reconfigures Squid."""
        if name.lower() in self._hosts:
            return
        self._hosts.append(name.lower())
        if self._dir is not None and self._proc is not None:
            self._write_hosts(Path(self._dir.name))
            self._proc.send_signal(signal.SIGHUP)  # squid -k reconfigure
            time.sleep(0.3)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if isinstance(self.log, _AccessLog):
            self.log.refresh()  # keep what was logged readable after the stop
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
        self._port = None

    # -- facts -----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise NetError("SquidProxy is not started")
        return self._port

    @property
    def auth(self) -> tuple[str, str] | None:
        return self._auth

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url_with_credentials(self, user: str | None = None, password: str | None = None) -> str:
        if user is None or password is None:
            if self._auth is None:
                raise NetError("no credentials given and the proxy has none configured")
            user, password = self._auth
        return f"http://{quote(user, safe='')}:{quote(password, safe='')}@{self._host}:{self.port}"
