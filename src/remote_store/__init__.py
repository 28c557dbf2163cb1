"""remote_store: one synchronous file-storage API over memory, local disk, S3 and SFTP.

Application code talks to a ``Store``; a ``Registry`` builds stores from a
``RegistryConfig``. Everything a caller needs is importable from here; the
concrete backends live in ``remote_store.backends``.
"""

from ._backend import Backend
from ._capabilities import Capability, CapabilitySet
from ._config import BackendConfig, RegistryConfig, StoreProfile, resolve_env
from ._errors import (
    AlreadyExists,
    BackendUnavailable,
    CapabilityNotSupported,
    ChecksumMismatch,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
    ResourceLocked,
)
from ._models import ContentDigest, FileInfo, FolderEntry, FolderInfo, PathEntry, WriteResult
from ._path import RemotePath
from ._proxy import ProxyStore
from ._registry import Registry, register_backend
from ._retry import RetryPolicy
from ._secret import Secret, SecretRedactionFilter
from ._store import Store
from ._version import __version__
from .ext.cache import CacheBackend, CachedStore, CacheStats, MemoryCache, cache

__all__ = [
    "AlreadyExists",
    "Backend",
    "BackendConfig",
    "BackendUnavailable",
    "CacheBackend",
    "CacheStats",
    "CachedStore",
    "Capability",
    "CapabilityNotSupported",
    "CapabilitySet",
    "ChecksumMismatch",
    "ContentDigest",
    "DirectoryNotEmpty",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "InvalidPath",
    "MemoryCache",
    "NotFound",
    "PathEntry",
    "PermissionDenied",
    "ProxyStore",
    "Registry",
    "RegistryConfig",
    "RemotePath",
    "RemoteStoreError",
    "ResourceLocked",
    "RetryPolicy",
    "Secret",
    "SecretRedactionFilter",
    "Store",
    "StoreProfile",
    "WriteResult",
    "__version__",
    "cache",
    "register_backend",
    "resolve_env",
]
