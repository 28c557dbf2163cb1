"""``ProxyStore``: a ``Store`` that forwards every call to an inner store.

Extensions (the cache) subclass it and override what they change. It is built by
composition: it holds the inner store and none of ``Store``'s state (no backend,
no root), so a public ``Store`` method that is not forwarded here fails loudly
instead of silently running against the raw backend (skipping the inner store
and any wrapper's invalidation); ``tests/unit/test_proxy_forwarding.py`` checks
every public method. It still subclasses ``Store`` for the type only:
``isinstance(proxy, Store)`` holds, as in 0.33, so a proxy goes wherever a store
is expected (``ext.cache`` documents and tests this). Results, including
``WriteResult`` objects, pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO, TypeVar

from ._backend import AtomicWriter, Content, Metadata
from ._capabilities import Capability
from ._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from ._store import Store

__all__ = ["ProxyStore"]

T = TypeVar("T")


class ProxyStore(Store):
    """Forwards everything to ``inner``. Subclasses must override ``_wrap_child``."""

    def __init__(self, inner: Store) -> None:
        # Deliberately no Store.__init__: the proxy owns no backend and no root.
        self._inner = inner

    @property
    def inner(self) -> Store:
        return self._inner

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._inner!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ProxyStore)
        return self._inner == other._inner

    def __hash__(self) -> int:
        return hash(self._inner)

    def _wrap_child(self, inner_child: Store) -> Store:
        raise NotImplementedError(f"{type(self).__name__} must override _wrap_child")

    def child(self, subpath: str) -> Store:
        return self._wrap_child(self._inner.child(subpath))

    def read(self, path: str) -> BinaryIO:
        return self._inner.read(path)

    def read_bytes(self, path: str) -> bytes:
        return self._inner.read_bytes(path)

    def read_seekable(self, path: str) -> BinaryIO:
        return self._inner.read_seekable(path)

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._inner.read_text(path, encoding=encoding, errors=errors)

    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        return self._inner.write(path, content, overwrite=overwrite, metadata=metadata)

    def write_text(
        self,
        path: str,
        text: str,
        *,
        encoding: str = "utf-8",
        overwrite: bool = False,
        metadata: Metadata = None,
    ) -> WriteResult:
        return self._inner.write_text(
            path, text, encoding=encoding, overwrite=overwrite, metadata=metadata
        )

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        return self._inner.write_atomic(path, content, overwrite=overwrite, metadata=metadata)

    def open_atomic(  # type: ignore[override]
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> AbstractContextManager[AtomicWriter]:
        return self._inner.open_atomic(path, overwrite=overwrite, metadata=metadata)

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._inner.delete(path, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._inner.delete_folder(path, recursive=recursive, missing_ok=missing_ok)

    def list_files(
        self,
        path: str,
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
    ) -> Iterator[FileInfo]:
        return self._inner.list_files(
            path, recursive=recursive, pattern=pattern, max_depth=max_depth
        )

    def list_folders(
        self, path: str, *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        return self._inner.list_folders(path, pattern=pattern, max_depth=max_depth)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        return self._inner.iter_children(path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        return self._inner.glob(pattern)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.move(src, dst, overwrite=overwrite)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._inner.copy(src, dst, overwrite=overwrite)

    def exists(self, path: str) -> bool:
        return self._inner.exists(path)

    def is_file(self, path: str) -> bool:
        return self._inner.is_file(path)

    def is_folder(self, path: str) -> bool:
        return self._inner.is_folder(path)

    def get_file_info(self, path: str) -> FileInfo:
        return self._inner.get_file_info(path)

    def get_folder_info(self, path: str, *, max_depth: int | None = None) -> FolderInfo:
        return self._inner.get_folder_info(path, max_depth=max_depth)

    def head(self, path: str) -> WriteResult:
        return self._inner.head(path)

    @property
    def name(self) -> str:
        return self._inner.name

    def ping(self) -> None:
        self._inner.ping()

    def close(self) -> None:
        self._inner.close()

    def unwrap(self, type_hint: type[T]) -> T:
        return self._inner.unwrap(type_hint)

    def native_path(self, key: str) -> str:
        return self._inner.native_path(key)

    def to_key(self, path: str) -> str:
        return self._inner.to_key(path)

    def supports(self, capability: Capability) -> bool:
        return self._inner.supports(capability)
