"""The error hierarchy every public method raises.

Callers catch these, never SDK or OS exceptions: backends translate native
failures (botocore, paramiko, ``OSError``) by error code, errno or exception
type onto this tree, attaching the store-relative path.

The tree is flat on purpose (a ``NotFound`` is never also an ``InvalidPath``),
so ``except`` clauses do not depend on their order::

    RemoteStoreError
    ├── NotFound                 the path (or its container) does not exist
    ├── AlreadyExists            target exists and overwrite=False
    ├── PermissionDenied         credentials, ACL or OS permissions refused it
    ├── InvalidPath              malformed path, escapes the root, or wrong node type
    ├── CapabilityNotSupported   the backend lacks the capability (``.capability``)
    ├── DirectoryNotEmpty        non-recursive delete_folder on a non-empty folder
    ├── BackendUnavailable       transport failure, unreachable service, closed backend
    ├── ChecksumMismatch         bytes read differ from the checksum the service stored
    └── ResourceLocked           locked by another session (exported for compatibility)

``path`` is the store-relative path when the error passes through a ``Store``;
``backend_path`` keeps the key the backend saw (root prefix included).
"""

from __future__ import annotations

from typing import Any

from ._redact import redact_exception, redact_text

__all__ = [
    "AlreadyExists",
    "BackendUnavailable",
    "CapabilityNotSupported",
    "ChecksumMismatch",
    "DirectoryNotEmpty",
    "InvalidPath",
    "NotFound",
    "PermissionDenied",
    "RemoteStoreError",
    "ResourceLocked",
]


# The C-level descriptors: ``raise ... from`` sets the slot directly, reads go through ours.
_BASE_CAUSE: Any = BaseException.__dict__["__cause__"]
_BASE_CONTEXT: Any = BaseException.__dict__["__context__"]


class RemoteStoreError(Exception):
    """Base of every error this library raises on purpose for a storage failure.

    The message is scrubbed of credentials when the error is built, and the
    cause chain is read through ``redact_exception``: an SDK exception whose text
    carries a credential (aiohttp's proxy errors name the proxy URL with its
    password) shows as a ``RedactedError`` stand-in to ``traceback``, loggers and
    error trackers, whatever raise site attached it.
    """

    @property
    def __cause__(self) -> BaseException | None:
        cause = _BASE_CAUSE.__get__(self)
        return None if cause is None else redact_exception(cause)

    @__cause__.setter
    def __cause__(self, value: BaseException | None) -> None:
        _BASE_CAUSE.__set__(self, value)

    @property
    def __context__(self) -> BaseException | None:
        context = _BASE_CONTEXT.__get__(self)
        return None if context is None else redact_exception(context)

    @__context__.setter
    def __context__(self, value: BaseException | None) -> None:
        _BASE_CONTEXT.__set__(self, value)

    def __init__(
        self,
        message: str = "",
        *,
        path: str | None = None,
        backend: str | None = None,
    ) -> None:
        message = redact_text(message)
        super().__init__(message)
        self.message = message
        self.path = path
        self.backend = backend
        self.backend_path: str | None = path

    def _extra_str(self) -> list[str]:
        return []

    def __str__(self) -> str:
        # Only present parts, joined: an empty message never leaves a leading separator.
        parts = [self.message] if self.message else []
        if self.path is not None:
            parts.append(f"path={self.path!r}")
        if self.backend is not None:
            parts.append(f"backend={self.backend!r}")
        return " | ".join(parts + self._extra_str())

    def _extra_repr(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.path is not None:
            parts.append(f"path={self.path!r}")
        if self.backend is not None:
            parts.append(f"backend={self.backend!r}")
        parts.extend(self._extra_repr())
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only attributes do not survive the default Exception pickling.
        return (_rebuild_error, (type(self), self.message, dict(self.__dict__)))


def _rebuild_error(
    cls: type[RemoteStoreError], message: str, state: dict[str, object]
) -> RemoteStoreError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class NotFound(RemoteStoreError):
    """The file, folder or container does not exist."""


class AlreadyExists(RemoteStoreError):
    """The target exists and the caller asked not to overwrite it."""


class PermissionDenied(RemoteStoreError):
    """Credentials, ACLs or OS permissions refused the operation."""


class InvalidPath(RemoteStoreError):
    """Malformed or unsafe path, outside the store, or the wrong node type."""


class CapabilityNotSupported(RemoteStoreError):
    """The backend does not offer the capability the operation needs."""

    def __init__(
        self,
        message: str = "",
        *,
        path: str | None = None,
        backend: str | None = None,
        capability: str = "",
    ) -> None:
        super().__init__(message, path=path, backend=backend)
        self.capability = capability

    def _extra_str(self) -> list[str]:
        return [f"capability={self.capability!r}"] if self.capability else []

    def _extra_repr(self) -> list[str]:
        return [f"capability={self.capability!r}"] if self.capability else []


class DirectoryNotEmpty(RemoteStoreError):
    """A non-recursive folder delete found children."""


class BackendUnavailable(RemoteStoreError):
    """The service could not be reached, the transport failed, or the backend is closed."""


class ChecksumMismatch(RemoteStoreError):
    """The bytes of a read do not match the checksum the service stored with the object.

    Raised at the end of the stream, after the last bytes were handed over: everything the
    caller received from that read must be discarded. A truncated body is not this error
    (``BackendUnavailable``): a mismatch means bytes arrived, but not the stored ones.
    """


class ResourceLocked(RemoteStoreError):
    """Locked by another session. None of our backends raise it; kept for API compatibility."""
