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
    └── ResourceLocked           locked by another session (exported for compatibility)

``path`` is the store-relative path when the error passes through a ``Store``;
``backend_path`` keeps the key the backend saw (root prefix included).
"""

from __future__ import annotations

from ._redact import redact_text

__all__ = [
    "AlreadyExists",
    "BackendUnavailable",
    "CapabilityNotSupported",
    "DirectoryNotEmpty",
    "InvalidPath",
    "NotFound",
    "PermissionDenied",
    "RemoteStoreError",
    "ResourceLocked",
]


class RemoteStoreError(Exception):
    """Base of every error this library raises on purpose for a storage failure."""

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

    def _extra_str(self) -> str:
        return ""

    def __str__(self) -> str:
        text = self.message
        if self.path is not None:
            text += f" | path={self.path!r}"
        if self.backend is not None:
            text += f" | backend={self.backend!r}"
        return text + self._extra_str()

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

    def _extra_str(self) -> str:
        return f" | capability={self.capability!r}" if self.capability else ""

    def _extra_repr(self) -> list[str]:
        return [f"capability={self.capability!r}"] if self.capability else []


class DirectoryNotEmpty(RemoteStoreError):
    """A non-recursive folder delete found children."""


class BackendUnavailable(RemoteStoreError):
    """The service could not be reached, the transport failed, or the backend is closed."""


class ResourceLocked(RemoteStoreError):
    """Locked by another session. None of our backends raise it; kept for API compatibility."""
