"""A real OpenSSH ``sshd`` for the SFTP tests: loopback only, throw-away keys, in a temp directory.

The server runs in the foreground (``-D``) as the current user with its own
config, host key, ``authorized_keys`` and pid file, so nothing outside its
temp directory is touched (except creating sshd's privilege-separation
directory ``/run/sshd`` when it is missing and we may). Logins use a generated
ECDSA user key; the server's ECDSA host key is exposed as a ``known_hosts``
line for pinning.

``shared_server()`` returns one process-wide server (started on first use,
stopped when the pytest session ends) so that both ``tests/sftp`` and the
conformance plug-in reuse it. Tests that kill or restart a server start their
own with ``SshServer.start_new()``.

When sshd cannot be started, ``SshdUnavailable`` carries the reason; callers
skip with it, except under ``CI=true`` where they fail (CI must run these).
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

__all__ = ["SshServer", "SshdUnavailable", "require_sshd", "shared_server"]

_START_TIMEOUT = 10.0


class SshdUnavailable(RuntimeError):
    """sshd is not installed or would not start; the message says why."""


def _find_sshd() -> str:
    for candidate in (shutil.which("sshd"), "/usr/sbin/sshd", "/usr/local/sbin/sshd"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)  # sshd refuses to re-exec from a relative path
    raise SshdUnavailable("OpenSSH sshd not found (install the Debian package openssh-server)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _public_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


@dataclass
class SshServer:
    """One sshd process listening on 127.0.0.1:``port``; restartable on the same port and keys."""

    workdir: Path
    port: int
    host_key: paramiko.ECDSAKey
    user_key: paramiko.ECDSAKey
    username: str = field(default_factory=getpass.getuser)
    _process: subprocess.Popen[bytes] | None = None

    # -- construction ---------------------------------------------------------
    @classmethod
    def start_new(
        cls, workdir: Path | None = None, *, sftp_subsystem: str = "internal-sftp"
    ) -> SshServer:
        sshd = _find_sshd()
        root = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="rs-sshd-"))
        root.mkdir(parents=True, exist_ok=True)
        server = cls(
            workdir=root,
            port=_free_port(),
            host_key=paramiko.ECDSAKey.generate(),
            user_key=paramiko.ECDSAKey.generate(),
        )
        server._write_files(sshd, sftp_subsystem)
        server.start()
        return server

    def _write_files(self, sshd: str, sftp_subsystem: str = "internal-sftp") -> None:
        self.data_dir.mkdir(exist_ok=True)
        self.host_key.write_private_key_file(str(self.workdir / "host_key"))
        (self.workdir / "authorized_keys").write_text(_public_line(self.user_key) + "\n")
        os.chmod(self.workdir / "host_key", 0o600)
        (self.workdir / "sshd_config").write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {self.port}",
                    f"HostKey {self.workdir / 'host_key'}",
                    f"PidFile {self.workdir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
                    "PermitRootLogin yes",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication yes",
                    "KbdInteractiveAuthentication no",
                    "StrictModes no",
                    "UsePAM no",
                    "UseDNS no",
                    f"Subsystem sftp {sftp_subsystem}",
                    "MaxStartups 200:30:400",
                    "MaxSessions 50",
                    "LoginGraceTime 20",
                    "LogLevel VERBOSE",
                    "",
                ]
            )
        )
        self._sshd = sshd

    # -- properties -----------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        """Where tests put their remote folders (the server sees the same file system)."""
        return self.workdir / "data"

    @property
    def host_key_line(self) -> str:
        """A ``known_hosts`` line pinning this server's host key."""
        return f"[127.0.0.1]:{self.port} {_public_line(self.host_key)}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "sshd.log"

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def new_folder(self) -> Path:
        """A fresh, empty, uniquely named folder below ``data_dir`` (absolute path)."""
        folder = self.data_dir / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        return folder

    def backend_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Options for ``SFTPBackend`` that log in with the user key and pin the host key."""
        options: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "username": self.username,
            "pkey": self.user_key,
            "known_host_keys": self.host_key_line,
            "timeout": 5,
            "io_timeout": 20.0,
        }
        options.update(overrides)
        return options

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> None:
        with contextlib.suppress(OSError):
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation dir
        check = subprocess.run(
            [self._sshd, "-t", "-f", str(self.workdir / "sshd_config")],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise SshdUnavailable(f"sshd rejected its test config: {check.stderr.strip()}")
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                [self._sshd, "-D", "-e", "-f", str(self.workdir / "sshd_config")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SshdUnavailable(
                    f"sshd exited with {self._process.returncode}: {self.log_text()[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.settimeout(2)
                    if sock.recv(64).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise SshdUnavailable(f"sshd did not accept connections within {_START_TIMEOUT}s")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def session_pids(self) -> list[int]:
        """Processes serving connections: every descendant of the listening sshd."""
        if self._process is None:
            return []
        import psutil

        try:
            return [p.pid for p in psutil.Process(self._process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kill_sessions(self) -> int:
        """SIGKILL every connection-serving process (the server drops all connections) but keep
        listening. Returns how many processes were killed."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def stop(self) -> None:
        """Stop listening and drop every session."""
        pids = self.session_pids()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


_shared: SshServer | None = None
_shared_error: SshdUnavailable | None = None
_shared_lock = threading.Lock()


def shared_server() -> SshServer:
    """The process-wide server, started on first call; raises ``SshdUnavailable`` (cached)."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is not None and not _shared.running:
            _shared.start()
        if _shared is not None:
            return _shared
        if _shared_error is not None:
            raise _shared_error
        try:
            _shared = SshServer.start_new()
        except SshdUnavailable as exc:
            _shared_error = exc
            raise
        except OSError as exc:
            _shared_error = SshdUnavailable(f"could not start sshd: {exc}")
            raise _shared_error from exc
        atexit.register(_shared.cleanup)
        return _shared


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_sshd(start: Any = shared_server) -> SshServer:
    """Start (or reuse) a server; skip the test without one, or fail under ``CI=true``."""
    import pytest

    try:
        server: SshServer = start()
    except SshdUnavailable as exc:
        if in_ci():
            pytest.fail(f"SFTP tests must run in CI but sshd is unavailable: {exc}")
        pytest.skip(f"sshd unavailable: {exc}")
    return server
