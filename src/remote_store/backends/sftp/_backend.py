"""``SFTPBackend``: a real directory tree on an SSH server, over paramiko.

Design decisions (the contract is ``docs/contract.md`` §12):

* **Connections.** One SSH connection per thread, opened lazily on first use
  (never in ``__init__``), checked for liveness before each operation and
  dropped when an operation sees it die, so the next call reconnects. Hence
  the backend is safe to share between threads; see ``_sftp_connection``.
* **Host keys.** Strict by default; see ``_sftp_hostkeys``.
* **Conflicts are classified on the error path.** OpenSSH speaks SFTP v3, whose
  "already exists" / "is a directory" / "not empty" all arrive as the generic
  SSH_FX_FAILURE. Operations therefore try the cheap thing first and ``stat``
  only after a failure, so a successful write costs no probe.
* **overwrite=False without a race.** Plain ``write`` opens the target with
  ``O_CREAT|O_EXCL``. Atomic writes, copies and moves promote with the plain
  SFTP ``RENAME``, which the protocol defines as failing when the target
  exists; OpenSSH implements it as ``link()`` + ``unlink()``, so the decision
  is made by the server's filesystem, atomically. (On filesystems without
  hard links OpenSSH falls back to a racy stat-then-rename; nothing better is
  available over SFTP there.) A ``stat`` before any byte is sent still gives
  the early ``AlreadyExists`` the contract asks for.
* **overwrite=True.** Promotion uses ``posix-rename@openssh.com`` (atomic
  replace). If the server refuses it for a reason other than a dead
  connection, the occupant is displaced to ``.~bak.<name>.<hex8>``, the temp
  file renamed into place, and the backup dropped (restored if the rename
  fails). In that fallback a crash can leave the target displaced, but never
  partial.
* **Links.** Every path is resolved by the server and must stay inside ``base_path``
  (``_links``); listings are ``lstat``-based and walks never descend into a link.
* **Temp files** follow the one convention of ``remote_store._backend_rules``
  (``.~tmp.<name>.<hex8>`` in the target's folder); listings never show them.
* **Stalls.** After a dead or stalled session no further request is sent on it (each would
  wait out another ``io_timeout``): the session is dropped, so a call costs one timeout.
"""

from __future__ import annotations

import errno
import logging
import os
import posixpath
import stat as stat_mod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO, ClassVar, Literal, TypeVar

import paramiko

from ..._backend import AtomicWriter, Backend, Content, Metadata
from ..._backend_rules import (
    exists_error,
    file_ancestor_error,
    folder_target_error,
    is_temp_name,
    summarise_files,
    temp_name,
)
from ..._capabilities import Capability, CapabilitySet
from ..._errors import (
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    RemoteStoreError,
)
from ..._models import UNKNOWN_TIME, FileInfo, FolderEntry, FolderInfo, WriteResult
from ..._path import RemotePath, addressable_segments, require_str
from ..._retry import RetryPolicy
from ..._secret import Secret, reveal
from ..._streams import check_content, stream_failure
from ._auth import load_private_key
from ._connection import DEFAULT_RETRY, Connection, ConnectionPool, ConnectSettings
from ._errors import (
    NAME,
    is_connection_error,
    is_denied,
    is_generic_failure,
    is_missing,
    map_error,
)
from ._hostkeys import (
    ENV_KNOWN_HOST_KEYS,
    HostKeyPolicy,
    HostKeyTrust,
    default_known_hosts_path,
    parse_host_key_policy,
    parse_known_host_lines,
)
from ._links import inside, resolve
from ._options import check_connect_kwargs
from ._streams import MappedSink, PipelinedWriter, ReadStream, iter_blocks

__all__ = ["HostKeyPolicy", "SFTPBackend"]

log = logging.getLogger("remote_store.backends.sftp")

T = TypeVar("T")

_CHUNK = 1024 * 1024
_READ_BUFFER = 64 * 1024
_CONFIG_KEYS = frozenset({"known_host_keys", "passphrase"})
_MANAGED_CONNECT_KEYS = frozenset(
    {
        "hostname",
        "port",
        "username",
        "password",
        "pkey",
        "passphrase",
        "timeout",
        "banner_timeout",
        "auth_timeout",
        "channel_timeout",
    }
)

Kind = Literal["file", "dir"]


class _SourceFailed(Exception):
    """Carries an exception raised by the caller's content stream past the error mapping."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(repr(original))
        self.original = original


def _kind(attrs: paramiko.SFTPAttributes) -> Kind:
    mode = attrs.st_mode
    return "dir" if mode is not None and stat_mod.S_ISDIR(mode) else "file"


def _mtime(attrs: paramiko.SFTPAttributes) -> datetime:
    if attrs.st_mtime is None:
        return UNKNOWN_TIME
    return datetime.fromtimestamp(attrs.st_mtime, tz=UTC)


class SFTPBackend(Backend):
    """Files on an SSH server via SFTP (paramiko). Registry type ``"sftp"``.

    Args:
        host: server name or address (required, non-blank).
        port: SSH port.
        username: login name (paramiko defaults it to the local user).
        password: password (``str`` or ``Secret``); also unlocks an encrypted
            key file found by paramiko when no ``pkey`` is given.
        pkey: a paramiko ``PKey`` or PEM private-key text (``str``/``Secret``);
            mangled line breaks are repaired; malformed text is a ``ValueError``.
        base_path: remote folder that is this backend's root (absolute, or
            relative to the login directory).
        host_key_policy: ``"strict"`` (default), ``"tofu"`` or ``"auto"`` (insecure,
            logs a WARNING); see ``HostKeyPolicy``.
        known_host_keys: pinned host key(s) as ``known_hosts`` lines; a line
            ``keytype base64`` pins the key for this host and port.
        host_keys_path: known-hosts file (default ``~/.ssh/known_hosts``).
        config: extra options: ``known_host_keys``, ``passphrase`` (for ``pkey``).
        timeout: seconds for each connect phase (TCP, banner, auth, channel open).
        io_timeout: seconds a blocking read/write on an open session may stall
            (``None`` = unbounded); a stall is ``BackendUnavailable``.
        connect_kwargs: extra ``paramiko.SSHClient.connect`` keywords (e.g.
            ``allow_agent``, ``look_for_keys``, ``disabled_algorithms``).
        retry: connect-retry policy; default 3 attempts, exponential 2-10 s.
    """

    CAPABILITIES: ClassVar[CapabilitySet] = CapabilitySet.all_except(
        Capability.GLOB, Capability.ATOMIC_MOVE, Capability.USER_METADATA
    )
    close_is_terminal: ClassVar[bool] = False
    concurrency: ClassVar[Literal["thread_safe", "single_connection"]] = "thread_safe"

    def __init__(
        self,
        host: str,
        *,
        port: int = 22,
        username: str | None = None,
        password: str | Secret | None = None,
        pkey: Any = None,
        base_path: str = "/",
        host_key_policy: HostKeyPolicy | str = HostKeyPolicy.STRICT,
        known_host_keys: str | None = None,
        host_keys_path: str | None = None,
        config: dict[str, Any] | None = None,
        timeout: float = 10,
        io_timeout: float | None = 120.0,
        connect_kwargs: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not isinstance(host, str) or not host.strip():
            raise ValueError("host must be a non-empty string")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"port must be an int between 1 and 65535, got {port!r}")
        if not _positive_number(timeout):
            raise ValueError(f"timeout must be a number > 0, got {timeout!r}")
        if io_timeout is not None and not _positive_number(io_timeout):
            raise ValueError(f"io_timeout must be a number > 0 or None, got {io_timeout!r}")
        if not isinstance(base_path, str) or not base_path.strip():
            raise ValueError("base_path must be a non-empty string")
        if password is not None and not isinstance(password, str | Secret):
            raise ValueError("password must be a str, a Secret or None")
        # Held as Secrets from here on: frame locals of a failed construction show '***'.
        password = Secret(password) if isinstance(password, str) else password
        if isinstance(pkey, str):
            pkey = Secret(pkey)
        if config is not None and not isinstance(config, Mapping):
            raise ValueError(f"config must be a dict, got {type(config).__name__}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ValueError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
        config = dict(config or {})
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise ValueError(f"config has unknown keys {unknown}; known: {sorted(_CONFIG_KEYS)}")
        if config.get("passphrase") is not None:
            if not isinstance(config["passphrase"], str | Secret):
                raise ValueError("config['passphrase'] must be a str or Secret")
            if isinstance(config["passphrase"], str):
                config["passphrase"] = Secret(config["passphrase"])
        if connect_kwargs is not None and not isinstance(connect_kwargs, Mapping):
            raise ValueError(f"connect_kwargs must be a dict, got {type(connect_kwargs).__name__}")
        connect_kwargs = dict(connect_kwargs or {})
        check_connect_kwargs(connect_kwargs, _MANAGED_CONNECT_KEYS)
        if username is not None and not isinstance(username, str):
            raise ValueError(f"username must be a str or None, got {type(username).__name__}")
        if known_host_keys is not None and not isinstance(known_host_keys, str):
            raise ValueError(
                f"known_host_keys must be a str or None, got {type(known_host_keys).__name__}"
            )
        if host_keys_path is not None and not isinstance(host_keys_path, str | os.PathLike):
            raise ValueError(
                f"host_keys_path must be a path or None, got {type(host_keys_path).__name__}"
            )
        policy = parse_host_key_policy(host_key_policy)
        if policy is HostKeyPolicy.AUTO_ADD:
            log.warning(
                "SFTP host_key_policy='auto' accepts ANY host key for %s:%s; the connection is "
                "open to man-in-the-middle attacks. Use it only with throw-away test servers.",
                host,
                port,
            )
        passphrase = config.get("passphrase")
        host = host.strip()
        inline = known_host_keys
        if inline is None:
            inline = config.get("known_host_keys")
        if inline is None:
            inline = _env_known_host_keys()
        trust = HostKeyTrust(
            policy=policy,
            inline_keys=inline,
            known_hosts_path=host_keys_path or default_known_hosts_path(),
            host=host,
            port=port,
        )
        if inline is not None:
            # Validate now, not at the first connect.
            parse_known_host_lines(inline, host_name=trust.host_name)
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._pkey = load_private_key(
            pkey, passphrase=reveal(passphrase) if passphrase is not None else None
        )
        self._policy = policy
        self._base = _normalise_base(base_path)
        self._timeout = float(timeout)
        self._io_timeout = None if io_timeout is None else float(io_timeout)
        settings = ConnectSettings(
            host=host,
            port=port,
            username=username,
            password=lambda: reveal(password),
            pkey=self._pkey,
            passphrase=lambda: reveal(passphrase),
            trust=trust,
            timeout=self._timeout,
            io_timeout=self._io_timeout,
            retry=retry or DEFAULT_RETRY,
            extra=connect_kwargs,
        )
        self._pool = ConnectionPool(settings)
        self._real_base: str | None = None  # base_path as the server resolves it, once known

    # -- identity -------------------------------------------------------------
    @property
    def name(self) -> str:
        return NAME

    def __repr__(self) -> str:
        return (
            f"SFTPBackend(host={self._host!r}, port={self._port}, username={self._username!r}, "
            f"password={'***' if self._password is not None else None}, "
            f"pkey={'***' if self._pkey is not None else None}, base_path={self._base!r}, "
            f"host_key_policy={self._policy.value!r})"
        )

    # -- addressing -----------------------------------------------------------
    def _remote(self, parts: list[str]) -> str:
        return posixpath.join(self._base, *parts) if parts else self._base

    def _real_root(self, sftp: paramiko.SFTPClient) -> str:
        if self._real_base is None:
            self._real_base = resolve(sftp, self._base)
        return self._real_base

    def _contained(
        self, sftp: paramiko.SFTPClient, parts: list[str], key: str, *, follow_last: bool = True
    ) -> str:
        """The remote path of ``parts``, once the server has resolved it inside ``base_path``.

        Links are followed only while they stay inside the root; a path leading out of it is
        ``InvalidPath("Path escapes root directory")``, as on the local backend. With
        ``follow_last=False`` only the parent is resolved: for removing an entry itself (a link
        is unlinked, never followed). See ``_links``.
        """
        probe = parts if follow_last else parts[:-1]
        if probe and not inside(resolve(sftp, self._remote(probe)), self._real_root(sftp)):
            raise InvalidPath("Path escapes root directory", path=key, backend=NAME)
        return self._remote(parts)

    def native_path(self, key: str) -> str:
        return self._remote(addressable_segments(key))

    def to_key(self, native_path: str) -> str:
        require_str(native_path, "native_path")
        if native_path == self._base:
            return ""
        prefix = self._base if self._base.endswith("/") else self._base + "/"
        if native_path.startswith(prefix):
            return native_path[len(prefix) :]
        return native_path

    # -- connection plumbing --------------------------------------------------
    @contextmanager
    def _session(self, path: str | None, action: str) -> Iterator[paramiko.SFTPClient]:
        """This thread's SFTP client; native failures inside the block are mapped on the way out."""
        conn = self._pool.get()
        try:
            yield conn.sftp
        except RemoteStoreError:
            raise
        except _SourceFailed as failed:
            original = failed.original
            if isinstance(original, RemoteStoreError):
                raise original from original.__cause__
            raise stream_failure(original, path=path or "", backend=NAME) from original
        except Exception as exc:
            dead = self._forget_if_dead(conn, exc)
            raise map_error(
                exc, path=path, action=action, io_timeout=self._io_timeout, dead=dead
            ) from exc

    def _forget_if_dead(self, conn: Connection, exc: BaseException) -> bool:
        """Drop ``conn`` if ``exc`` shows it is dead; report whether it was."""
        if is_connection_error(exc) or not conn.is_alive():
            log.debug("Dropping SFTP connection after %r", exc)
            self._pool.discard(conn)
            return True
        return False

    def _stat(self, sftp: paramiko.SFTPClient, remote: str) -> paramiko.SFTPAttributes | None:
        """``stat`` (following links), or ``None`` when nothing is there."""
        try:
            return sftp.stat(remote)
        except OSError as exc:
            if is_missing(exc):
                return None
            raise

    def _kind_at(self, sftp: paramiko.SFTPClient, remote: str) -> Kind | None:
        attrs = self._stat(sftp, remote)
        return None if attrs is None else _kind(attrs)

    def _abandon(
        self, sftp: paramiko.SFTPClient, handle: paramiko.SFTPFile, remote: str, exc: BaseException
    ) -> None:
        """After a failed upload into ``remote``: close it and remove the partial file.

        Not on a dead or stalled session: each request there would wait out another
        ``io_timeout`` (a stall cost three of them). The session is dropped instead (by
        ``_session``), which makes the server close the handle; the partial file stays.
        """
        if is_connection_error(exc):
            return
        _close_quietly(handle)
        self._remove_quietly(sftp, remote)

    def _remove_quietly(self, sftp: paramiko.SFTPClient, remote: str) -> None:
        """Best-effort cleanup of a temp/partial file; failures are logged, never raised."""
        try:
            sftp.remove(remote)
        except Exception as exc:
            log.debug("Could not remove %s during cleanup: %r", remote, exc)

    def _ensure_folder(self, sftp: paramiko.SFTPClient, parts: list[str], key: str) -> None:
        """Create folder ``parts`` and missing ancestors; a file in the way is ``InvalidPath``."""
        missing: list[list[str]] = []
        probe = list(parts)
        while True:
            kind = self._kind_at(sftp, self._remote(probe))
            if kind == "file":
                raise file_ancestor_error(key, "/".join(probe), NAME)
            if kind == "dir":
                break
            if not probe:
                self._make_base(sftp, key)
                break
            missing.append(list(probe))
            probe.pop()
        for folder in reversed(missing):
            self._mkdir(sftp, self._remote(folder), key, "/".join(folder))

    def _make_base(self, sftp: paramiko.SFTPClient, key: str) -> None:
        chain: list[str] = []
        current = self._base
        while current not in ("", "/", ".") and self._kind_at(sftp, current) is None:
            chain.append(current)
            current = posixpath.dirname(current)
        for folder in reversed(chain):
            self._mkdir(sftp, folder, key, "")

    def _mkdir(self, sftp: paramiko.SFTPClient, remote: str, key: str, folder: str) -> None:
        """``mkdir remote`` (``folder`` is its key); a file that won the race is ``InvalidPath``."""
        try:
            sftp.mkdir(remote)
        except OSError as exc:
            if not is_generic_failure(exc):
                raise
            kind = self._kind_at(sftp, remote)  # lost a race, or a file is in the way
            if kind == "file":
                raise file_ancestor_error(key, folder, NAME) from exc
            if kind is None:
                raise

    # -- probes ---------------------------------------------------------------
    def _probe(self, path: str) -> Kind | None:
        parts = self._segments(path)
        if not parts:
            return "dir"
        with self._session(path, "stat") as sftp:
            return self._kind_at(sftp, self._contained(sftp, parts, path))

    def exists(self, path: str) -> bool:
        return self._probe(path) is not None

    def is_file(self, path: str) -> bool:
        return self._probe(path) == "file"

    def is_folder(self, path: str) -> bool:
        return self._probe(path) == "dir"

    # -- reads ----------------------------------------------------------------
    def _open_for_read(
        self, sftp: paramiko.SFTPClient, path: str
    ) -> tuple[paramiko.SFTPFile, paramiko.SFTPAttributes]:
        remote = self._contained(sftp, self._file_segments(path), path)
        attrs = self._stat(sftp, remote)
        if attrs is None:
            raise NotFound("File not found", path=path, backend=NAME)
        if _kind(attrs) == "dir":
            raise InvalidPath("Path is a folder, not a file (Not a file)", path=path, backend=NAME)
        return sftp.open(remote, "r", bufsize=_READ_BUFFER), attrs

    def read(self, path: str) -> BinaryIO:
        with self._session(path, "read") as sftp:
            handle, attrs = self._open_for_read(sftp, path)
        conn = self._pool.current()
        stream = ReadStream(
            handle,
            attrs.st_size or 0,
            path,
            lambda exc: self._forget_after_stream(conn, exc),
            self._io_timeout,
        )
        return stream  # type: ignore[return-value]  # a RawIOBase is a binary file object

    def _forget_after_stream(self, conn: Connection | None, exc: BaseException) -> bool:
        return conn is None or self._forget_if_dead(conn, exc)

    def read_bytes(self, path: str) -> bytes:
        with self._session(path, "read") as sftp:
            handle, attrs = self._open_for_read(sftp, path)
            with _closing(handle):
                return b"".join(iter_blocks(handle, attrs.st_size or 0))

    def read_seekable(self, path: str) -> BinaryIO:
        return self.read(path)  # SFTP files are seekable

    # -- writes ---------------------------------------------------------------
    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        check_content(content)
        parts, remote = self._write_target(path, metadata)
        with self._session(path, "write") as sftp:
            self._contained(sftp, parts, path)
            handle = self._create(sftp, remote, parts, path, exclusive=not overwrite)
            try:
                size = _pump(content, PipelinedWriter(handle))
                handle.close()
            except BaseException as exc:
                # No partial file is left behind (R-WRITE-STREAM): with overwrite=False we
                # created it; with overwrite=True it was truncated, so nothing old survives.
                self._abandon(sftp, handle, remote, exc)
                raise
        return WriteResult(path=RemotePath("/".join(parts)), size=size, source="native")

    def _write_target(self, path: str, metadata: Mapping[str, str] | None) -> tuple[list[str], str]:
        """The checks every write starts with; returns the target's parts and remote path."""
        _refuse_metadata(metadata, path)
        parts = self._file_segments(path)
        return parts, self._remote(parts)

    def _create(
        self,
        sftp: paramiko.SFTPClient,
        remote: str,
        parts: list[str],
        key: str,
        *,
        exclusive: bool,
    ) -> paramiko.SFTPFile:
        """Open ``remote`` for writing (``O_EXCL`` when exclusive), creating parent folders."""
        mode = "xw" if exclusive else "w"
        for attempt in (1, 2):
            try:
                return sftp.open(remote, mode)
            except OSError as exc:
                if is_missing(exc) and attempt == 1:
                    self._ensure_folder(sftp, parts[:-1], key)
                    continue
                if is_generic_failure(exc):
                    conflict = self._occupied(sftp, remote, key, overwrite=not exclusive)
                    if conflict is None:
                        conflict = self._file_ancestor(sftp, parts[:-1], key)
                    if conflict is not None:
                        raise conflict from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _file_ancestor(
        self, sftp: paramiko.SFTPClient, parts: list[str], key: str
    ) -> InvalidPath | None:
        """``InvalidPath`` if a folder on the way to ``parts`` is a file (error path only).

        OpenSSH reports a write under a file as "no such file", which ``_ensure_folder``
        classifies; other SFTP v3 servers answer the generic SSH_FX_FAILURE, so after such a
        failure the ancestors are checked from the top down (stopping at the first missing
        one, and fail-open on a probe that fails too: the original error then stands).
        """
        for depth in range(1, len(parts) + 1):
            try:
                kind = self._kind_at(sftp, self._remote(parts[:depth]))
            except OSError:
                return None
            if kind is None:
                return None
            if kind == "file":
                return InvalidPath(
                    f"Cannot write below {'/'.join(parts[:depth])}: it is a file",
                    path=key,
                    backend=NAME,
                )
        return None

    def _check_target(
        self, sftp: paramiko.SFTPClient, remote: str, key: str, *, overwrite: bool
    ) -> None:
        """Write-order steps (1) and (2), before any byte is sent.

        An existing folder is ``InvalidPath``; an existing file without overwrite is
        ``AlreadyExists``.
        """
        conflict = self._occupied(sftp, remote, key, overwrite=overwrite)
        if conflict is not None:
            raise conflict

    def _occupied(
        self, sftp: paramiko.SFTPClient, remote: str, key: str, *, overwrite: bool
    ) -> RemoteStoreError | None:
        """The error for writing onto what is at ``remote``, or ``None`` if it may be written.

        A folder is ``InvalidPath``; a file is ``AlreadyExists`` unless ``overwrite``. Returned,
        not raised, so a caller on the error path can chain it to the native failure.
        """
        kind = self._kind_at(sftp, remote)
        if kind == "dir":
            return folder_target_error(key, NAME)
        if kind == "file" and not overwrite:
            return exists_error(key, NAME)
        return None

    def _start_atomic(
        self,
        sftp: paramiko.SFTPClient,
        parts: list[str],
        remote: str,
        key: str,
        overwrite: bool,
    ) -> tuple[str, paramiko.SFTPFile]:
        """Check the target, then open the temp file an atomic write fills and promotes."""
        self._check_target(sftp, remote, key, overwrite=overwrite)
        return self._temp_for(sftp, parts, key)

    def _temp_for(
        self, sftp: paramiko.SFTPClient, parts: list[str], key: str
    ) -> tuple[str, paramiko.SFTPFile]:
        temp_parts = [*parts[:-1], temp_name(parts[-1])]
        temp_remote = self._remote(temp_parts)
        return temp_remote, self._create(sftp, temp_remote, temp_parts, key, exclusive=True)

    @contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        parts, remote = self._write_target(path, metadata)
        with self._session(path, "open for atomic write") as sftp:
            self._contained(sftp, parts, path)
            temp_remote, handle = self._start_atomic(sftp, parts, remote, path, overwrite)
        pipe = PipelinedWriter(handle)
        conn = self._pool.current()

        def commit(size: int) -> WriteResult:
            with self._session(path, "commit atomic write") as sftp:
                pipe.finish()
                handle.close()
                self._promote(sftp, temp_remote, remote, path, overwrite=overwrite)
            return WriteResult(path=RemotePath("/".join(parts)), size=size, source="native")

        def discard() -> None:
            _close_quietly(handle)
            current = self._pool.current()
            if current is not None and current.is_alive():
                self._remove_quietly(current.sftp, temp_remote)

        sink = MappedSink(
            pipe, path, lambda e: self._forget_after_stream(conn, e), self._io_timeout
        )
        with self._atomic_session(sink, commit=commit, discard=discard) as writer:
            yield writer

    def _promote(
        self, sftp: paramiko.SFTPClient, source: str, target: str, key: str, *, overwrite: bool
    ) -> None:
        """Rename ``source`` onto ``target``: no-clobber by RENAME, replace by posix-rename."""
        if not overwrite:
            try:
                sftp.rename(source, target)
            except OSError as exc:
                if is_generic_failure(exc):
                    conflict = self._occupied(sftp, target, key, overwrite=False)
                    if conflict is not None:
                        raise conflict from exc
                raise
            return
        try:
            sftp.posix_rename(source, target)
            return
        except OSError as exc:
            if not is_generic_failure(exc):
                raise
            log.debug(
                "posix-rename onto %s refused (%r); using the displacement fallback", target, exc
            )
        self._displace_and_rename(sftp, source, target, key)

    def _displace_and_rename(
        self, sftp: paramiko.SFTPClient, source: str, target: str, key: str
    ) -> None:
        kind = self._kind_at(sftp, target)
        if kind == "dir":
            raise folder_target_error(key, NAME)
        if kind is None:
            sftp.rename(source, target)
            return
        folder, name = posixpath.split(target)
        backup = posixpath.join(folder, temp_name(name, "bak"))
        sftp.rename(target, backup)
        try:
            sftp.rename(source, target)
        except BaseException:
            try:
                sftp.rename(backup, target)
            except Exception as restore_exc:
                log.error("Could not restore %s from %s: %r", target, backup, restore_exc)
            raise
        self._remove_quietly(sftp, backup)

    # -- deletes --------------------------------------------------------------
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        parts = self._file_segments(path)
        with self._session(path, "delete") as sftp:
            remote = self._contained(sftp, parts, path, follow_last=False)
            try:
                sftp.remove(remote)
                return
            except OSError as exc:
                if is_missing(exc):
                    if missing_ok:
                        return
                    raise NotFound("File not found", path=path, backend=NAME) from exc
                if is_generic_failure(exc) and self._kind_at(sftp, remote) == "dir":
                    raise InvalidPath(
                        "Path is a folder, not a file (Not a file)", path=path, backend=NAME
                    ) from exc
                raise

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        parts = self._file_segments(path)
        with self._session(path, "delete folder") as sftp:
            remote = self._contained(sftp, parts, path, follow_last=False)
            kind = self._kind_at(sftp, remote)
            if kind is None:
                if missing_ok:
                    return
                raise NotFound("Folder not found", path=path, backend=NAME)
            if kind == "file":
                raise InvalidPath(
                    "Path is a file, not a folder (Not a folder)", path=path, backend=NAME
                )
            if self._is_link(sftp, remote):
                # A link to a folder is removed as a link: what it points to (possibly outside
                # base_path) is never touched, recursive or not.
                sftp.remove(remote)
                return
            if recursive:
                self._remove_tree(sftp, remote)
                return
            if sftp.listdir(remote):
                raise DirectoryNotEmpty(
                    "Folder is not empty (Folder not empty)", path=path, backend=NAME
                )
            try:
                sftp.rmdir(remote)
            except OSError as exc:
                if is_generic_failure(exc) and sftp.listdir(remote):
                    raise DirectoryNotEmpty(
                        "Folder is not empty (Folder not empty)", path=path, backend=NAME
                    ) from exc
                raise

    @staticmethod
    def _is_link(sftp: paramiko.SFTPClient, remote: str) -> bool:
        try:
            mode = sftp.lstat(remote).st_mode
        except OSError:
            return False
        return mode is not None and stat_mod.S_ISLNK(mode)

    def _remove_tree(self, sftp: paramiko.SFTPClient, remote: str) -> None:
        """Bottom-up removal with an explicit stack (any depth); listings are ``lstat``-based,
        so symlinks are removed, never followed. Not atomic."""
        pending: list[tuple[str, bool]] = [(remote, False)]  # (folder, its children are gone)
        while pending:
            folder, emptied = pending.pop()
            if emptied:
                sftp.rmdir(folder)
                continue
            pending.append((folder, True))
            for attrs in sftp.listdir_attr(folder):
                child = posixpath.join(folder, attrs.filename)
                mode = attrs.st_mode
                if mode is not None and stat_mod.S_ISDIR(mode):
                    pending.append((child, False))
                else:
                    sftp.remove(child)

    # -- listings -------------------------------------------------------------
    def _entries(
        self, sftp: paramiko.SFTPClient, remote: str
    ) -> list[tuple[paramiko.SFTPAttributes, Kind, bool]] | None:
        """Children of ``remote`` with their kind; ``None`` if it is no folder.

        The listing is ``lstat``-based. A link is reported as what it points to when that
        resolves inside ``base_path`` (with ``linked`` set, so walks never descend into it);
        links leading out of the root and dangling links are not listed. Temp names are skipped.
        """
        try:
            listing = sftp.listdir_attr(remote)
        except OSError as exc:
            if is_missing(exc):
                return None
            if is_generic_failure(exc) and self._kind_at(sftp, remote) != "dir":
                return None
            raise
        entries: list[tuple[paramiko.SFTPAttributes, Kind, bool]] = []
        for attrs in listing:
            if is_temp_name(attrs.filename):
                continue  # our own staging files (a killed write's leftovers) are not user data
            mode = attrs.st_mode
            linked = mode is not None and stat_mod.S_ISLNK(mode)
            if linked:
                target = self._link_target(sftp, posixpath.join(remote, attrs.filename))
                if target is None:
                    continue
                target.filename = attrs.filename
                attrs = target
            entries.append((attrs, _kind(attrs), linked))
        return entries

    def _link_target(self, sftp: paramiko.SFTPClient, link: str) -> paramiko.SFTPAttributes | None:
        """The attributes of what ``link`` points to; ``None`` if dangling or outside the root."""
        if not inside(resolve(sftp, link), self._real_root(sftp)):
            return None
        return self._stat(sftp, link)

    def _file_info(self, parts: list[str], attrs: paramiko.SFTPAttributes) -> FileInfo:
        return FileInfo(
            path=RemotePath("/".join(parts)),
            name=parts[-1],
            size=attrs.st_size or 0,
            modified_at=_mtime(attrs),
        )

    def _walk_files(
        self,
        sftp: paramiko.SFTPClient,
        parts: list[str],
        *,
        recursive: bool,
        max_depth: int | None,
    ) -> Iterator[FileInfo]:
        """Files below ``parts``, depth first, with an explicit stack (any depth); a link to a
        folder is never descended into (no cycles, nothing counted twice)."""
        pending: list[tuple[list[str], int]] = [(parts, 0)]
        while pending:
            folder, depth = pending.pop()
            entries = self._entries(sftp, self._remote(folder))
            if entries is None:
                continue
            folders: list[tuple[list[str], int]] = []
            for attrs, kind, linked in entries:
                child = [*folder, attrs.filename]
                if kind == "file":
                    yield self._file_info(child, attrs)
                elif recursive and not linked and (max_depth is None or depth < max_depth):
                    folders.append((child, depth + 1))  # pruned natively past max_depth
            pending.extend(reversed(folders))

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        parts = self._segments(path)
        with self._session(path, "list files") as sftp:
            self._contained(sftp, parts, path)
            yield from self._walk_files(sftp, parts, recursive=recursive, max_depth=max_depth)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        parts = self._segments(path)
        with self._session(path, "list folders") as sftp:
            self._contained(sftp, parts, path)
            for attrs, kind, _ in self._entries(sftp, self._remote(parts)) or []:
                if kind == "dir":
                    child = [*parts, attrs.filename]
                    yield FolderEntry(path=RemotePath("/".join(child)), name=attrs.filename)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        parts = self._segments(path)
        with self._session(path, "list children") as sftp:
            self._contained(sftp, parts, path)
            for attrs, kind, _ in self._entries(sftp, self._remote(parts)) or []:
                child = [*parts, attrs.filename]
                if kind == "file":
                    yield self._file_info(child, attrs)
                else:
                    yield FolderEntry(path=RemotePath("/".join(child)), name=attrs.filename)

    # -- metadata -------------------------------------------------------------
    def get_file_info(self, path: str) -> FileInfo:
        parts = self._file_segments(path)
        with self._session(path, "get file info") as sftp:
            attrs = self._stat(sftp, self._contained(sftp, parts, path))
        if attrs is None:
            raise NotFound("File not found", path=path, backend=NAME)
        if _kind(attrs) == "dir":
            raise InvalidPath("Path is a folder, not a file (Not a file)", path=path, backend=NAME)
        return self._file_info(parts, attrs)

    def get_folder_info(self, path: str) -> FolderInfo:
        parts = self._segments(path)
        with self._session(path, "get folder info") as sftp:
            if parts:
                kind = self._kind_at(sftp, self._contained(sftp, parts, path))
                if kind is None:
                    raise NotFound("Folder not found", path=path, backend=NAME)
                if kind == "file":
                    raise InvalidPath(
                        "Path is a file, not a folder (Not a folder)", path=path, backend=NAME
                    )
            return summarise_files(
                RemotePath.from_backend_path("/".join(parts)),
                self._walk_files(sftp, parts, recursive=True, max_depth=None),
            )

    # -- move / copy ----------------------------------------------------------
    def _check_transfer(
        self, sftp: paramiko.SFTPClient, src: str, dst: str, *, overwrite: bool
    ) -> tuple[list[str], list[str], bool]:
        """Shared precondition order of move/copy. Returns (src parts, dst parts, same key)."""
        src_parts = self._file_segments(src)
        dst_parts = self._file_segments(dst)
        src_kind = self._kind_at(sftp, self._contained(sftp, src_parts, src))
        if src_kind is None:
            raise NotFound("Source not found", path=src, backend=NAME)
        if src_kind == "dir":
            raise InvalidPath(
                "Source is a folder, not a file (Source is a directory)", path=src, backend=NAME
            )
        if src_parts == dst_parts:
            return src_parts, dst_parts, True
        self._check_target(sftp, self._contained(sftp, dst_parts, dst), dst, overwrite=overwrite)
        self._ensure_folder(sftp, dst_parts[:-1], dst)
        return src_parts, dst_parts, False

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._file_segments(src)
        self._file_segments(dst)
        with self._session(dst, "move") as sftp:
            src_parts, dst_parts, same = self._check_transfer(sftp, src, dst, overwrite=overwrite)
            if same:
                return
            source, target = self._remote(src_parts), self._remote(dst_parts)
            try:
                self._promote(sftp, source, target, dst, overwrite=overwrite)
                return
            except RemoteStoreError:
                raise
            except OSError as exc:
                if not _rename_refused(exc):
                    raise
                log.debug(
                    "rename %s -> %s refused (%r); moving by copy + delete", source, target, exc
                )
            try:
                self._copy_remote(sftp, source, dst_parts, dst, overwrite=overwrite)
            except OSError as exc:
                if not _rename_refused(exc):
                    raise
                # The server refuses renames altogether, so the temp file cannot be promoted:
                # copy straight into the destination (not atomic, like the move itself).
                self._copy_remote(sftp, source, dst_parts, dst, overwrite=overwrite, staged=False)
            sftp.remove(source)  # a failure here is raised: the copy exists, the source too

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._file_segments(src)
        self._file_segments(dst)
        with self._session(dst, "copy") as sftp:
            src_parts, dst_parts, same = self._check_transfer(sftp, src, dst, overwrite=overwrite)
            if same:
                return
            self._copy_remote(sftp, self._remote(src_parts), dst_parts, dst, overwrite=overwrite)

    def _copy_remote(
        self,
        sftp: paramiko.SFTPClient,
        source: str,
        dst_parts: list[str],
        dst: str,
        *,
        overwrite: bool,
        staged: bool = True,
    ) -> None:
        """Stream ``source`` through the client into the destination.

        ``staged``: into a temp file that is then promoted (an atomic write). Otherwise (a
        server that refuses renames altogether) straight into the destination, not atomic;
        a failure removes the partial copy either way.
        """
        target = self._remote(dst_parts)
        if not staged:
            out = self._create(sftp, target, dst_parts, dst, exclusive=not overwrite)
            self._stream_copy(sftp, source, out, target)
            return
        temp_remote, out = self._temp_for(sftp, dst_parts, dst)
        self._stream_copy(sftp, source, out, temp_remote)
        try:
            self._promote(sftp, temp_remote, target, dst, overwrite=overwrite)
        except BaseException as exc:
            if not is_connection_error(exc):
                self._remove_quietly(sftp, temp_remote)
            raise

    def _stream_copy(
        self, sftp: paramiko.SFTPClient, source: str, out: paramiko.SFTPFile, remote: str
    ) -> None:
        """Stream ``source`` through the client into ``out`` (open at ``remote``) and close it;
        a failure abandons the partial file (``_abandon``)."""
        try:
            pipe = PipelinedWriter(out)
            with _closing(sftp.open(source, "r", bufsize=_READ_BUFFER)) as src_handle:
                for block in iter_blocks(src_handle, src_handle.stat().st_size or 0):
                    pipe.write(block)
            pipe.finish()
            out.close()
        except BaseException as exc:
            self._abandon(sftp, out, remote, exc)
            raise

    # -- lifecycle ------------------------------------------------------------
    def check_health(self) -> None:
        with self._session("", "check health") as sftp:
            kind = self._kind_at(sftp, self._base)
        if kind != "dir":
            raise NotFound(
                f"Base path {self._base!r} is {'a file' if kind else 'missing'}",
                path="",
                backend=NAME,
            )

    def close(self) -> None:
        self._pool.close_all()

    def unwrap(self, type_hint: type[T]) -> T:
        if type_hint is paramiko.SFTPClient:
            with self._session(None, "unwrap"):
                return self._pool.get().sftp  # type: ignore[return-value]
        if type_hint is paramiko.SSHClient:
            return self._pool.get().ssh  # type: ignore[return-value]
        return super().unwrap(type_hint)


# -- module helpers ----------------------------------------------------------


def _positive_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and value > 0


def _normalise_base(base_path: str) -> str:
    base = posixpath.normpath(base_path.strip())
    return "/" if base == "//" else base


def _env_known_host_keys() -> str | None:
    import os

    value = os.environ.get(ENV_KNOWN_HOST_KEYS)
    return value if value else None


def _refuse_metadata(metadata: Mapping[str, str] | None, path: str) -> None:
    if metadata:
        raise CapabilityNotSupported(
            "SFTP cannot store user metadata",
            path=path,
            backend=NAME,
            capability=Capability.USER_METADATA.value,
        )


def _pump(content: Content, handle: PipelinedWriter) -> int:
    """Send ``content`` and return the byte count; errors of the caller's stream pass unmapped."""
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content).cast("B")
        handle.write(view)
        handle.finish()
        return view.nbytes
    total = 0
    while True:
        try:
            chunk = content.read(_CHUNK)
        except Exception as exc:
            raise _SourceFailed(exc) from exc
        if not chunk:
            handle.finish()
            return total
        handle.write(chunk)
        total += len(chunk)


def _rename_refused(exc: BaseException) -> bool:
    """A server refusing a rename (generic failure, EACCES/EPERM, EIO), not a dead connection.

    0.33 falls back to copy + delete in these cases, and so do we (issue 16, item 5).
    """
    if is_generic_failure(exc) or is_denied(exc):
        return True
    return isinstance(exc, OSError) and exc.errno == errno.EIO and not is_connection_error(exc)


@contextmanager
def _closing(handle: paramiko.SFTPFile) -> Iterator[paramiko.SFTPFile]:
    """``with handle:``, except that a dead or stalled session is not asked to close it (that
    request would wait out another ``io_timeout``; dropping the session closes it anyway)."""
    try:
        yield handle
    except BaseException as exc:
        if not is_connection_error(exc):
            _close_quietly(handle)
        raise
    handle.close()


def _close_quietly(handle: paramiko.SFTPFile) -> None:
    try:
        handle.close()
    except Exception as exc:
        log.debug("Ignoring error while closing an SFTP file: %r", exc)
