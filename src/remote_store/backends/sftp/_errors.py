"""Translate paramiko / socket failures into the library's error tree.

Discrimination is by exception type first and errno second, never by a
blanket ``except OSError``: an ``OSError`` from paramiko can be an SFTP status
(``ENOENT`` for SSH_FX_NO_SUCH_FILE, ``EACCES`` for SSH_FX_PERMISSION_DENIED,
no errno at all for the catch-all SSH_FX_FAILURE) or a socket failure
(``ECONNRESET``, ``EPIPE``, a timeout), and those mean different things.

OpenSSH speaks SFTP version 3, whose status codes are coarse: "already
exists", "is a directory" and "directory not empty" all arrive as
SSH_FX_FAILURE. Callers therefore classify conflicts with a follow-up
``stat`` on the error path (success paths pay nothing).
"""

from __future__ import annotations

import errno
import socket

import paramiko

from ..._errors import (
    BackendUnavailable,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from ._hostkeys import HostKeyRejected, fingerprint

__all__ = [
    "NAME",
    "is_connection_error",
    "is_generic_failure",
    "is_missing",
    "map_connect_error",
    "map_error",
]

NAME = "sftp"

_DEAD_CONNECTION_ERRNOS = frozenset(
    {
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.ECONNREFUSED,
        errno.EPIPE,
        errno.ENOTCONN,
        errno.ESHUTDOWN,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EBADF,
    }
)


def is_connection_error(exc: BaseException) -> bool:
    """True when ``exc`` means the SSH connection (or its channel) is gone or stuck."""
    if isinstance(exc, socket.timeout | TimeoutError | EOFError):
        return True
    if isinstance(exc, paramiko.ChannelException | paramiko.SSHException):
        return True
    if isinstance(exc, paramiko.SFTPError):
        # Raised for protocol-level confusion (unexpected packet, closed channel).
        return True
    if isinstance(exc, OSError):
        return exc.errno in _DEAD_CONNECTION_ERRNOS
    return False


def is_missing(exc: BaseException) -> bool:
    """SSH_FX_NO_SUCH_FILE (OpenSSH also reports ``ENOTDIR`` this way)."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.ENOTDIR)


def is_denied(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM)


def is_generic_failure(exc: BaseException) -> bool:
    """SSH_FX_FAILURE: paramiko raises a bare ``OSError(message)`` without errno."""
    return type(exc) is OSError and exc.errno is None and not is_connection_error(exc)


def stall_phrase(io_timeout: float | None) -> str:
    """What a timed-out session request says, in remote-store 0.33's words.

    Kept after our own wording so ``match=`` patterns written for 0.33
    (``"SFTP channel stalled: no data within io_timeout=2.0s"``) still match.
    """
    if io_timeout is None:
        return "SFTP channel stalled: the socket timed out with no io_timeout set"
    return f"SFTP channel stalled: no data within io_timeout={io_timeout}s"


def map_error(
    exc: BaseException,
    *,
    path: str | None,
    action: str,
    io_timeout: float | None,
    dead: bool = False,
) -> RemoteStoreError:
    """The library error for a failure of ``action`` on backend key ``path``.

    ``dead`` says the connection was found inactive after the failure: paramiko
    reports some of those as a bare ``OSError("Socket is closed")``. ``io_timeout``
    is the backend's configured value; a timeout names it (see :func:`stall_phrase`).
    """
    if isinstance(exc, RemoteStoreError):
        return exc
    detail = str(exc) or type(exc).__name__
    if is_missing(exc):
        return NotFound(f"Not found while trying to {action}: {detail}", path=path, backend=NAME)
    if is_denied(exc):
        return PermissionDenied(f"Permission denied to {action}: {detail}", path=path, backend=NAME)
    if dead or is_connection_error(exc):
        stalled = (
            f"; {stall_phrase(io_timeout)}"
            if isinstance(exc, socket.timeout | TimeoutError)
            else ""
        )
        return BackendUnavailable(
            f"SFTP connection failed while trying to {action}: {type(exc).__name__}: {detail}"
            f"{stalled}",
            path=path,
            backend=NAME,
        )
    return RemoteStoreError(f"Failed to {action}: {detail}", path=path, backend=NAME)


def map_connect_error(exc: BaseException, *, target: str) -> RemoteStoreError:
    """Errors of connection establishment: authentication, host key, reachability."""
    if isinstance(exc, RemoteStoreError):
        return exc
    if isinstance(exc, paramiko.BadHostKeyException):
        return PermissionDenied(
            f"Host key mismatch for {target}: the server presented "
            f"{exc.key.get_name()} {fingerprint(exc.key)} but the known key is "
            f"{exc.expected_key.get_name()} {fingerprint(exc.expected_key)}. Refusing to "
            "connect (possible man-in-the-middle, or the server was re-keyed).",
            backend=NAME,
        )
    if isinstance(exc, HostKeyRejected):
        return PermissionDenied(str(exc), backend=NAME)
    if isinstance(exc, paramiko.AuthenticationException):
        return PermissionDenied(f"Authentication to {target} failed: {exc}", backend=NAME)
    if isinstance(exc, paramiko.PasswordRequiredException):
        return PermissionDenied(f"Private key for {target} is encrypted: {exc}", backend=NAME)
    if is_denied(exc):
        return PermissionDenied(f"Connecting to {target} was refused: {exc}", backend=NAME)
    if isinstance(exc, paramiko.SSHException | OSError | EOFError):
        return BackendUnavailable(
            f"Cannot connect to {target}: {type(exc).__name__}: {exc}", backend=NAME
        )
    return RemoteStoreError(f"Cannot connect to {target}: {exc}", backend=NAME)


def is_permanent_connect_error(exc: BaseException) -> bool:
    """Failures a retry cannot fix: wrong credentials, refused host key."""
    return isinstance(
        exc,
        paramiko.BadHostKeyException
        | HostKeyRejected
        | paramiko.AuthenticationException
        | paramiko.PasswordRequiredException,
    ) or is_denied(exc)
