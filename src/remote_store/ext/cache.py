"""Read-through caching for a ``Store`` (``docs/contract.md`` §13, IO-2).

Every cache key uses the path **normalised by ``RemotePath`` and made relative
to the top-level cached store**: ``cache(s).child("a").exists("x")`` and
``cache(s).exists("a/x")`` share one entry, sibling children never collide, and
``write("./a//x")`` invalidates what ``exists("a/x")`` cached.

Only successful results are cached (``False`` included); exceptions never are.
Mutations invalidate after the inner call succeeds. Changes made by other
processes or stores are not seen until the TTL expires or ``invalidate``/
``clear_cache`` is called.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from .._backend import AtomicWriter, Content, Metadata
from .._errors import InvalidPath
from .._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from .._path import RemotePath, is_root
from .._proxy import ProxyStore
from .._store import Store

__all__ = ["CacheBackend", "CacheStats", "CachedStore", "MemoryCache", "cache"]

T = TypeVar("T")

_ABSENT = "\x00"
_PATH_OPS = ("exists", "is_file", "is_folder", "read_bytes", "get_file_info")
_LISTING_OPS = frozenset({"iter_children", "list_files", "list_folders", "glob", "get_folder_info"})
_SIZE_PROBE = "get_file_info"


@runtime_checkable
class CacheBackend(Protocol):
    """Where cached values live. ``get`` raises ``KeyError`` on a miss or an expired entry."""

    def get(self, key: tuple[str, ...]) -> Any: ...

    def set(self, key: tuple[str, ...], value: Any, ttl: float) -> None: ...

    def delete(self, key: tuple[str, ...]) -> None: ...

    def clear(self) -> None: ...

    def clear_prefix(self, prefix: str) -> None: ...

    def size(self) -> int: ...


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    size: int


class MemoryCache:
    """A thread-safe in-process cache with lazy expiry and optional LRU bound."""

    def __init__(self, *, max_entries: int | None = None) -> None:
        if max_entries is not None and max_entries <= 0:
            raise ValueError(f"max_entries must be positive (> 0), got {max_entries}")
        self._max = max_entries
        self._data: OrderedDict[tuple[str, ...], tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Any:
        with self._lock:
            value, expires = self._data[key]
            if time.monotonic() >= expires:
                del self._data[key]
                raise KeyError(key)
            self._data.move_to_end(key)
            return value

    def set(self, key: tuple[str, ...], value: Any, ttl: float) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl)
            self._data.move_to_end(key)
            if self._max is not None:
                while len(self._data) > self._max:
                    self._data.popitem(last=False)

    def delete(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, expires) in self._data.items() if now >= expires]:
            del self._data[key]

    def clear_prefix(self, prefix: str) -> None:
        self.clear_prefixes(frozenset({prefix}))

    def clear_prefixes(self, prefixes: frozenset[str]) -> None:
        with self._lock:
            self._expire()
            for key in [k for k in self._data if k and k[0] in prefixes]:
                del self._data[key]

    def size(self) -> int:
        with self._lock:
            self._expire()
            return len(self._data)


class _Counters:
    """Hit/miss counts shared by a cached store and its children."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0


@dataclass(frozen=True)
class _Settings:
    ttl: float
    max_content_size: int | None
    max_listing_size: int | None


class CachedStore(ProxyStore):
    """A ``Store`` whose reads and listings are served from a cache. Build it with ``cache()``."""

    def __init__(
        self,
        inner: Store,
        *,
        cache_backend: CacheBackend,
        settings: _Settings,
        prefix: str = "",
        counters: _Counters | None = None,
    ) -> None:
        super().__init__(inner)
        self._cache = cache_backend
        self._settings = settings
        self._prefix = prefix
        self._counters = counters if counters is not None else _Counters()

    def __repr__(self) -> str:
        parts = [f"inner={self._inner!r}", f"ttl={self._settings.ttl}"]
        if self._settings.max_content_size is not None:
            parts.append(f"max_content_size={self._settings.max_content_size}")
        if self._settings.max_listing_size is not None:
            parts.append(f"max_listing_size={self._settings.max_listing_size}")
        if self._prefix:
            parts.append(f"prefix={self._prefix!r}")
        return f"CachedStore({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, CachedStore)
        return (
            self._inner == other._inner
            and self._cache is other._cache
            and self._settings == other._settings
            and self._prefix == other._prefix
        )

    def __hash__(self) -> int:
        return hash((self._inner, self._prefix))

    @property
    def stats(self) -> CacheStats:
        with self._counters.lock:
            return CacheStats(self._counters.hits, self._counters.misses, self._cache.size())

    def _wrap_child(self, inner_child: Store) -> Store:
        raise NotImplementedError  # child() is overridden below; kept for the ProxyStore contract

    def child(self, subpath: str) -> Store:
        inner_child = self._inner.child(subpath)
        return CachedStore(
            inner_child,
            cache_backend=self._cache,
            settings=self._settings,
            prefix=self._key_path(str(RemotePath(subpath))),
            counters=self._counters,
        )

    # -- keys -----------------------------------------------------------------
    def _key_path(self, path: str) -> str:
        """``path`` normalised and made relative to the top-level cached store."""
        relative = "" if is_root(path) else str(RemotePath(path))
        if not self._prefix:
            return relative
        return f"{self._prefix}/{relative}" if relative else self._prefix

    def _try_key_path(self, path: str) -> str | None:
        try:
            return self._key_path(path)
        except (InvalidPath, TypeError):
            return None  # let the inner store raise its own error

    def _cached(self, key: tuple[str, ...], compute: Callable[[], T], *, count: bool = True) -> T:
        try:
            value: T = self._cache.get(key)
        except KeyError:
            pass
        else:
            if count:
                with self._counters.lock:
                    self._counters.hits += 1
            return value
        if count:
            with self._counters.lock:
                self._counters.misses += 1
        value = compute()
        self._cache.set(key, value, self._settings.ttl)
        return value

    def _listing(self, key: tuple[str, ...], compute: Callable[[], Iterator[T]]) -> Iterator[T]:
        try:
            value: tuple[T, ...] = self._cache.get(key)
        except KeyError:
            pass
        else:
            with self._counters.lock:
                self._counters.hits += 1
            return iter(value)
        with self._counters.lock:
            self._counters.misses += 1
        items = tuple(compute())
        limit = self._settings.max_listing_size
        if limit is None or len(items) <= limit:
            self._cache.set(key, items, self._settings.ttl)
        return iter(items)

    # -- invalidation ---------------------------------------------------------
    def _clear_listings(self) -> None:
        clear_many = getattr(self._cache, "clear_prefixes", None)
        if callable(clear_many):
            clear_many(_LISTING_OPS)
        else:
            for op in _LISTING_OPS:
                self._cache.clear_prefix(op)

    def _invalidate_key_path(self, key_path: str) -> None:
        parts = key_path.split("/") if key_path else []
        lineage = ["/".join(parts[:i]) for i in range(len(parts), -1, -1)]
        for entry in lineage:
            for op in _PATH_OPS:
                self._cache.delete((op, entry))
        self._clear_listings()

    def invalidate(self, path: str) -> None:
        """Forget ``path``, its ancestors and every listing."""
        self._invalidate_key_path(self._key_path(path))

    def clear_cache(self) -> None:
        self._cache.clear()

    def _after_write(self, path: str) -> None:
        key_path = self._try_key_path(path)
        if key_path is None:
            self._cache.clear()
        else:
            self._invalidate_key_path(key_path)

    # -- cached reads ---------------------------------------------------------
    def _probe(self, op: str, path: str, call: Callable[[str], T]) -> T:
        key_path = self._try_key_path(path)
        if key_path is None:
            return call(path)
        return self._cached((op, key_path), lambda: call(path))

    def exists(self, path: str) -> bool:
        return self._probe("exists", path, self._inner.exists)

    def is_file(self, path: str) -> bool:
        return self._probe("is_file", path, self._inner.is_file)

    def is_folder(self, path: str) -> bool:
        return self._probe("is_folder", path, self._inner.is_folder)

    def get_file_info(self, path: str) -> FileInfo:
        return self._probe("get_file_info", path, self._inner.get_file_info)

    def read_bytes(self, path: str) -> bytes:
        key_path = self._try_key_path(path)
        if key_path is None:
            return self._inner.read_bytes(path)
        limit = self._settings.max_content_size
        if limit is not None:
            try:
                self._cache.get(("read_bytes", key_path))
            except KeyError:
                info = self._cached(
                    (_SIZE_PROBE, key_path), lambda: self._inner.get_file_info(path), count=False
                )
                if info.size > limit:
                    # Not cacheable: every such read goes to the store, so each is a miss.
                    with self._counters.lock:
                        self._counters.misses += 1
                    return self._inner.read_bytes(path)
        return self._cached(("read_bytes", key_path), lambda: self._inner.read_bytes(path))

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self.read_bytes(path).decode(encoding, errors)

    def get_folder_info(self, path: str, *, max_depth: int | None = None) -> FolderInfo:
        key_path = self._try_key_path(path)
        if key_path is None or (max_depth is not None and max_depth < 0):
            return self._inner.get_folder_info(path, max_depth=max_depth)
        return self._cached(
            ("get_folder_info", key_path, str(max_depth)),
            lambda: self._inner.get_folder_info(path, max_depth=max_depth),
        )

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        key_path = self._try_key_path(path)
        if key_path is None:
            return self._inner.iter_children(path)
        return self._listing(("iter_children", key_path), lambda: self._inner.iter_children(path))

    def list_files(
        self,
        path: str,
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
    ) -> Iterator[FileInfo]:
        key_path = self._try_key_path(path)
        if key_path is None or (max_depth is not None and max_depth < 0):
            return self._inner.list_files(
                path, recursive=recursive, pattern=pattern, max_depth=max_depth
            )
        recursive_key = "depth" if max_depth is not None else str(recursive)
        key = (
            "list_files",
            key_path,
            recursive_key,
            _ABSENT if pattern is None else pattern,
            _ABSENT if max_depth is None else str(max_depth),
        )
        return self._listing(
            key,
            lambda: self._inner.list_files(
                path, recursive=recursive, pattern=pattern, max_depth=max_depth
            ),
        )

    def list_folders(
        self, path: str, *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        key_path = self._try_key_path(path)
        if key_path is None or (max_depth is not None and max_depth < 0):
            return self._inner.list_folders(path, pattern=pattern, max_depth=max_depth)
        key = (
            "list_folders",
            key_path,
            _ABSENT if pattern is None else pattern,
            _ABSENT if max_depth is None else str(max_depth),
        )
        return self._listing(
            key, lambda: self._inner.list_folders(path, pattern=pattern, max_depth=max_depth)
        )

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        scoped = f"{self._prefix}/{pattern}" if self._prefix else pattern
        return self._listing(("glob", scoped), lambda: self._inner.glob(pattern))

    # -- mutations ------------------------------------------------------------
    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        result = self._inner.write(path, content, overwrite=overwrite, metadata=metadata)
        self._after_write(path)
        return result

    def write_text(
        self,
        path: str,
        text: str,
        *,
        encoding: str = "utf-8",
        overwrite: bool = False,
        metadata: Metadata = None,
    ) -> WriteResult:
        result = self._inner.write_text(
            path, text, encoding=encoding, overwrite=overwrite, metadata=metadata
        )
        self._after_write(path)
        return result

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        result = self._inner.write_atomic(path, content, overwrite=overwrite, metadata=metadata)
        self._after_write(path)
        return result

    @contextmanager
    def _open_atomic(
        self, path: str, overwrite: bool, metadata: Mapping[str, str] | None
    ) -> Iterator[AtomicWriter]:
        with self._inner.open_atomic(path, overwrite=overwrite, metadata=metadata) as writer:
            yield writer
        self._after_write(path)

    def open_atomic(self, path: str, *, overwrite: bool = False, metadata: Metadata = None) -> Any:
        return self._open_atomic(path, overwrite, metadata)

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._inner.delete(path, missing_ok=missing_ok)
        self._after_write(path)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._inner.delete_folder(path, recursive=recursive, missing_ok=missing_ok)
        self._cache.clear()

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.move(src, dst, overwrite=overwrite)
        self._cache.clear()

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.copy(src, dst, overwrite=overwrite)
        self._cache.clear()


def cache(
    store: Store,
    *,
    ttl: float = 300.0,
    max_content_size: int | None = None,
    max_listing_size: int | None = None,
    max_entries: int | None = None,
    cache_backend: CacheBackend | None = None,
) -> CachedStore:
    """Wrap ``store`` in a read-through cache (``ValueError`` for non-positive limits)."""
    if ttl <= 0:
        raise ValueError(f"ttl must be positive (> 0), got {ttl}")
    if max_content_size is not None and max_content_size <= 0:
        raise ValueError(f"max_content_size must be positive (> 0), got {max_content_size}")
    if max_listing_size is not None and max_listing_size <= 0:
        raise ValueError(f"max_listing_size must be positive (> 0), got {max_listing_size}")
    backend: CacheBackend = (
        cache_backend if cache_backend is not None else MemoryCache(max_entries=max_entries)
    )
    settings = _Settings(ttl, max_content_size, max_listing_size)
    return CachedStore(store, cache_backend=backend, settings=settings)
