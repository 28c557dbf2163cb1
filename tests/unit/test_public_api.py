"""The public surface changes only on purpose: this test pins it."""

from __future__ import annotations

import inspect

import remote_store
import remote_store.backends
import remote_store.ext.cache

EXPECTED = [
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


def test_all_is_exactly_the_documented_surface() -> None:
    assert remote_store.__all__ == EXPECTED


def test_every_exported_name_resolves() -> None:
    assert all(hasattr(remote_store, name) for name in remote_store.__all__)


def test_optional_backends_are_not_exported_from_the_top_level() -> None:
    assert not hasattr(remote_store, "S3Backend") and not hasattr(remote_store, "SFTPBackend")


def test_backends_package_always_exports_the_embedded_backends() -> None:
    assert {"LocalBackend", "MemoryBackend"} <= set(remote_store.backends.__all__)


def test_local_backend_offers_the_temp_file_sweep() -> None:
    sweep = remote_store.backends.LocalBackend.remove_stale_temp_files
    assert list(inspect.signature(sweep).parameters) == ["self", "path", "older_than"]


def test_backends_package_exports_only_importable_optional_backends() -> None:
    optional = set(remote_store.backends.__all__) - {"LocalBackend", "MemoryBackend"}
    assert optional <= {"HostKeyPolicy", "S3Backend", "SFTPBackend", "SFTPUtils"}
    assert all(hasattr(remote_store.backends, n) for n in remote_store.backends.__all__)


def test_cache_module_surface() -> None:
    assert sorted(remote_store.ext.cache.__all__) == [
        "CacheBackend",
        "CacheStats",
        "CachedStore",
        "MemoryCache",
        "cache",
    ]


def test_package_logger_has_a_null_handler() -> None:
    import logging

    handlers = logging.getLogger("remote_store").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
