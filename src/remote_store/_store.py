"""``Store``: the one object application code talks to.

The Store owns no storage. It validates paths and metadata, refuses operations
the backend cannot do (before any I/O), joins its root onto every path on the
way in and strips it from every result on the way out, and implements the few
behaviours that are the same on every backend (text helpers, ``head``,
depth/pattern filtering, the ``list_folders`` walk, depth-limited folder info,
same-path move/copy). Everything else is delegated to the backend.

Deliberate differences from remote-store 0.33 (``docs/contract.md`` §15):

* listing methods validate eagerly and return an inner generator (IO-15);
* errors coming out of the backend are re-raised with the store-relative
  ``path``; ``backend_path`` keeps the backend key (IO-16);
* ``root_path`` ``"."`` and ``"/"`` mean the backend root (IO-17);
* patterns match case-sensitively on every OS (``fnmatchcase``, IO-21);
* ``get_folder_info(file, max_depth=N)`` is ``InvalidPath`` like the
  unlimited form (IO-14);
* ``open_atomic`` accepts ``metadata=`` and its writer exposes ``result`` (IO-24).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import BinaryIO, TypeVar

from ._backend import AtomicWriter, Backend, Content, Metadata
from ._backend_rules import ROOT_TARGET_MESSAGE, check_max_depth, summarise_files
from ._capabilities import Capability
from ._closing import ClosesOnExit
from ._errors import InvalidPath, NotFound, RemoteStoreError
from ._glob import translate_glob
from ._logging import logger
from ._metadata import normalize_metadata
from ._models import UNKNOWN_TIME, FileInfo, FolderEntry, FolderInfo, WriteResult
from ._open_atomic import open_backend_atomic
from ._path import RemotePath, addressable_segments, is_root, require_str
from ._streams import check_content, guard_content

__all__ = ["Store"]

T = TypeVar("T")
R = TypeVar("R")


def _normalise_root(root_path: str) -> str:
    if not isinstance(root_path, str):
        raise InvalidPath(
            f"root_path must be a string, got {type(root_path).__name__}", path=repr(root_path)
        )
    if not addressable_segments(root_path.replace("\\", "/")) and "\0" not in root_path:
        return ""  # "", ".", "/", "./" all mean the backend root (IO-17)
    return str(RemotePath(root_path))


class Store(ClosesOnExit):
    """A view of one backend below ``root_path``. Cheap to create; does no I/O.

    A Store built directly owns its backend (``close()`` closes it); stores
    handed out by ``Registry.get_store`` and ``child`` borrow it.
    """

    def __init__(self, backend: Backend, root_path: str = "") -> None:
        self._backend = backend
        self._root = _normalise_root(root_path)
        self._owns_backend = True

    @classmethod
    def _borrowing(cls, backend: Backend, root_path: str) -> Store:
        store = cls(backend, root_path)
        store._owns_backend = False
        return store

    # -- object behaviour -----------------------------------------------------
    def __repr__(self) -> str:
        return f"Store(backend={self._backend.name!r}, root_path={self._root!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Store) or type(other) is not type(self):
            return NotImplemented
        return self._backend is other._backend and self._root == other._root

    def __hash__(self) -> int:
        return hash((id(self._backend), self._root))

    # -- key mapping ----------------------------------------------------------
    def _join(self, relative: str) -> str:
        if not self._root:
            return relative
        return f"{self._root}/{relative}" if relative else self._root

    def _query_key(self, path: str) -> str:
        """Folder/query methods: ``""``/``"."`` are the store root."""
        if isinstance(path, str) and is_root(path):
            return self._join("")
        return self._join(str(RemotePath(path)))

    def _file_key(self, path: str) -> str:
        """File-targeted methods: the root (any spelling) is refused."""
        if isinstance(path, str) and is_root(path):
            raise InvalidPath(ROOT_TARGET_MESSAGE, path=path)
        return self._join(str(RemotePath(path)))

    def _relative(self, key: str) -> str:
        """Strip the store root from a backend key (``""`` for the root itself)."""
        if not self._root:
            return "" if is_root(key) else key
        if key == self._root:
            return ""
        if key.startswith(self._root + "/"):
            return key[len(self._root) + 1 :]
        return key

    def _rebase_path(self, path: RemotePath) -> RemotePath:
        if not self._root:
            return path
        return RemotePath.from_backend_path(self._relative(str(path)))

    def _rebase_file(self, info: FileInfo) -> FileInfo:
        if not self._root:
            return info
        return dataclasses.replace(info, path=self._rebase_path(info.path))

    def _rebase_folder(self, entry: FolderEntry) -> FolderEntry:
        if not self._root:
            return entry
        return dataclasses.replace(entry, path=self._rebase_path(entry.path))

    def _rebase_result(self, result: WriteResult) -> WriteResult:
        if not self._root:
            return result
        return dataclasses.replace(result, path=self._rebase_path(result.path))

    def _rebase_error(self, error: RemoteStoreError) -> None:
        """IO-16: store-relative ``path``, backend key kept in ``backend_path``."""
        if error.path is None or getattr(error, "_store_rebased", False):
            return
        error.backend_path = error.path
        error.path = self._relative(error.path)
        setattr(error, "_store_rebased", True)  # noqa: B010 - once, however deep the call chain

    def _call(self, fn: Callable[[], R]) -> R:
        try:
            return fn()
        except RemoteStoreError as error:
            self._rebase_error(error)
            raise

    def _iterate(self, iterator: Iterator[T]) -> Iterator[T]:
        try:
            yield from iterator
        except RemoteStoreError as error:
            self._rebase_error(error)
            raise

    def _require(self, capability: Capability) -> None:
        self._backend.capabilities.require(capability, backend=self._backend.name)

    def _debug(self, op: str, path: str) -> None:
        logger.debug(
            "%s %r", op, path, extra={"op": op, "path": path, "backend": self._backend.name}
        )

    def _info(self, op: str, path: str) -> None:
        logger.info(
            "%s %r done", op, path, extra={"op": op, "path": path, "backend": self._backend.name}
        )

    # -- reads ----------------------------------------------------------------
    def read(self, path: str) -> BinaryIO:
        """A binary stream positioned at byte 0; the caller closes it."""
        self._debug("read", path)
        self._require(Capability.READ)
        key = self._file_key(path)
        return self._call(lambda: self._backend.read(key))

    def read_bytes(self, path: str) -> bytes:
        self._debug("read_bytes", path)
        self._require(Capability.READ)
        key = self._file_key(path)
        return self._call(lambda: self._backend.read_bytes(key))

    def read_seekable(self, path: str) -> BinaryIO:
        """Like ``read`` but always seekable (spooled when the backend stream is not)."""
        self._debug("read_seekable", path)
        self._require(Capability.READ)
        key = self._file_key(path)
        return self._call(lambda: self._backend.read_seekable(key))

    def read_text(self, path: str, *, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self.read_bytes(path).decode(encoding, errors)

    # -- writes ---------------------------------------------------------------
    def _prepare_write(
        self, path: str, metadata: Mapping[str, str] | None, gate: Capability
    ) -> tuple[str, dict[str, str] | None]:
        # docs/contract.md §14: metadata shape -> USER_METADATA -> capability gate -> path.
        normalised = normalize_metadata(metadata)
        if normalised:
            self._require(Capability.USER_METADATA)
        self._require(gate)
        return self._file_key(path), normalised

    def _guard(self, content: Content, key: str) -> Content:
        """R-WRITE-STREAM: the caller's stream failing mid-read is one error on every backend."""
        return guard_content(content, path=key, backend=self._backend.name)  # type: ignore[return-value]

    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """Write ``content`` (bytes, or a binary stream from its position). Not atomic."""
        check_content(content)
        self._debug("write", path)
        key, normalised = self._prepare_write(path, metadata, Capability.WRITE)
        guarded = self._guard(content, key)
        result = self._call(
            lambda: self._backend.write(key, guarded, overwrite=overwrite, metadata=normalised)
        )
        self._info("write", path)
        return self._rebase_result(result)

    def write_text(
        self,
        path: str,
        text: str,
        *,
        encoding: str = "utf-8",
        overwrite: bool = False,
        metadata: Metadata = None,
    ) -> WriteResult:
        data = require_str(text, "text").encode(encoding)
        return self.write(path, data, overwrite=overwrite, metadata=metadata)

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """Write so that no reader ever sees partial content."""
        check_content(content)
        self._debug("write_atomic", path)
        key, normalised = self._prepare_write(path, metadata, Capability.ATOMIC_WRITE)
        guarded = self._guard(content, key)
        result = self._call(
            lambda: self._backend.write_atomic(
                key, guarded, overwrite=overwrite, metadata=normalised
            )
        )
        self._info("write_atomic", path)
        return self._rebase_result(result)

    @contextlib.contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        """Stream a file that appears only when the ``with`` block exits cleanly.

        An exception inside the block discards everything and leaves the target
        untouched. After a clean exit ``writer.result`` holds the ``WriteResult``.
        Checks (metadata, gates, path, ``AlreadyExists``) run on ``__enter__``.
        """
        self._debug("open_atomic", path)
        key, normalised = self._prepare_write(path, metadata, Capability.ATOMIC_WRITE)
        try:
            with open_backend_atomic(
                self._backend, key, overwrite=overwrite, metadata=normalised
            ) as writer:
                yield writer
        except RemoteStoreError as error:
            self._rebase_error(error)
            raise
        if writer.result is not None:
            writer.result = self._rebase_result(writer.result)
        self._info("open_atomic", path)

    # -- deletes --------------------------------------------------------------
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Delete a file. A folder is ``InvalidPath`` even with ``missing_ok``."""
        self._debug("delete", path)
        self._require(Capability.DELETE)
        key = self._file_key(path)
        self._call(lambda: self._backend.delete(key, missing_ok=missing_ok))
        self._info("delete", path)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._debug("delete_folder", path)
        if isinstance(path, str) and is_root(path):
            raise InvalidPath("Cannot delete the store root", path=path)
        self._require(Capability.DELETE)
        key = self._file_key(path)
        self._call(
            lambda: self._backend.delete_folder(key, recursive=recursive, missing_ok=missing_ok)
        )
        self._info("delete_folder", path)

    # -- listings -------------------------------------------------------------
    def list_files(
        self,
        path: str,
        *,
        recursive: bool = False,
        pattern: str | None = None,
        max_depth: int | None = None,
    ) -> Iterator[FileInfo]:
        """Files below ``path``; a missing or non-folder path yields nothing.

        With ``max_depth`` set, ``recursive`` is ignored: ``0`` is the folder's own
        files, ``1`` adds one level down, and so on. ``pattern`` matches basenames.
        """
        if pattern is not None:
            require_str(pattern, "pattern")
        self._debug("list_files", path)
        check_max_depth(max_depth)
        self._require(Capability.LIST)
        key = self._query_key(path)
        base_parts = 0 if is_root(path) else len(RemotePath(path).parts)
        effective = max_depth > 0 if max_depth is not None else recursive
        return self._list_files(key, effective, pattern, max_depth, base_parts)

    def _list_files(
        self,
        key: str,
        recursive: bool,
        pattern: str | None,
        max_depth: int | None,
        base_parts: int,
    ) -> Iterator[FileInfo]:
        for info in self._iterate(
            self._backend.list_files(key, recursive=recursive, max_depth=max_depth)
        ):
            rebased = self._rebase_file(info)
            if max_depth is not None and len(rebased.path.parts) - 1 - base_parts > max_depth:
                continue
            if pattern is not None and not fnmatchcase(rebased.name, pattern):
                continue
            yield rebased

    def list_folders(
        self, path: str, *, pattern: str | None = None, max_depth: int | None = None
    ) -> Iterator[FolderEntry]:
        """Immediate subfolders; ``max_depth=N`` walks ``N`` further levels down.

        ``pattern`` filters what is yielded but never prunes the walk.
        """
        if pattern is not None:
            require_str(pattern, "pattern")
        self._debug("list_folders", path)
        check_max_depth(max_depth)
        self._require(Capability.LIST)
        key = self._query_key(path)
        return self._list_folders(key, pattern, max_depth or 0)

    def _list_folders(self, key: str, pattern: str | None, levels: int) -> Iterator[FolderEntry]:
        frontier = [key]
        for _level in range(levels + 1):
            following: list[str] = []
            for folder in frontier:
                for entry in self._iterate(self._backend.list_folders(folder)):
                    following.append(str(entry.path))
                    rebased = self._rebase_folder(entry)
                    if pattern is None or fnmatchcase(rebased.name, pattern):
                        yield rebased
            if not following:
                return
            frontier = following

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """Immediate files and folders in one pass; order unspecified."""
        self._debug("iter_children", path)
        self._require(Capability.LIST)
        key = self._query_key(path)
        return self._iter_children(key)

    def _iter_children(self, key: str) -> Iterator[FileInfo | FolderEntry]:
        for child in self._iterate(self._backend.iter_children(key)):
            if isinstance(child, FileInfo):
                yield self._rebase_file(child)
            else:
                yield self._rebase_folder(child)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files whose whole store path matches ``pattern`` (``*``, ``?``, ``[..]``, ``**``)."""
        require_str(pattern, "pattern")
        self._debug("glob", pattern)
        self._require(Capability.GLOB)
        full = f"{self._root}/{pattern}" if self._root else pattern
        translate_glob(full)  # ValueError / InvalidPath now, not on first next()
        return self._glob(full)

    def _glob(self, full: str) -> Iterator[FileInfo]:
        for info in self._iterate(self._backend.glob(full)):
            yield self._rebase_file(info)

    # -- move / copy ----------------------------------------------------------
    def _same_key(self, src: str, key: str) -> None:
        if self._call(lambda: self._backend.is_file(key)):
            return
        if self._call(lambda: self._backend.is_folder(key)):
            raise InvalidPath(
                "Source is a folder (Source is a directory)", path=src, backend=self._backend.name
            )
        raise NotFound(
            "Source does not exist (Source not found)", path=src, backend=self._backend.name
        )

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move a file (folders are refused). Atomic only with ``ATOMIC_MOVE``."""
        self._debug("move", src)
        self._require(Capability.MOVE)
        src_key = self._file_key(src)
        dst_key = self._file_key(dst)
        if src_key == dst_key:
            self._same_key(src, src_key)
            return
        self._call(lambda: self._backend.move(src_key, dst_key, overwrite=overwrite))
        self._info("move", src)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._debug("copy", src)
        self._require(Capability.COPY)
        src_key = self._file_key(src)
        dst_key = self._file_key(dst)
        if src_key == dst_key:
            self._same_key(src, src_key)
            return
        self._call(lambda: self._backend.copy(src_key, dst_key, overwrite=overwrite))
        self._info("copy", src)

    # -- probes and metadata --------------------------------------------------
    def _is_store_root(self, path: str) -> bool:
        return bool(self._root) and isinstance(path, str) and is_root(path)

    def exists(self, path: str) -> bool:
        """Never raises ``NotFound``; the store root always exists."""
        self._debug("exists", path)
        key = self._query_key(path)
        if self._is_store_root(path):
            return True
        return self._call(lambda: self._backend.exists(key))

    def is_file(self, path: str) -> bool:
        self._debug("is_file", path)
        key = self._query_key(path)
        if self._is_store_root(path):
            return False
        return self._call(lambda: self._backend.is_file(key))

    def is_folder(self, path: str) -> bool:
        self._debug("is_folder", path)
        key = self._query_key(path)
        if self._is_store_root(path):
            return True
        return self._call(lambda: self._backend.is_folder(key))

    def get_file_info(self, path: str) -> FileInfo:
        self._debug("get_file_info", path)
        self._require(Capability.METADATA)
        key = self._file_key(path)
        return self._rebase_file(self._call(lambda: self._backend.get_file_info(key)))

    def get_folder_info(self, path: str, *, max_depth: int | None = None) -> FolderInfo:
        """Aggregate of the files below ``path`` (the whole subtree, or ``max_depth`` levels)."""
        self._debug("get_folder_info", path)
        check_max_depth(max_depth)
        if max_depth is not None:
            return self._limited_folder_info(path, max_depth)
        self._require(Capability.METADATA)
        key = self._query_key(path)
        at_root = isinstance(path, str) and is_root(path)
        out_path = RemotePath.ROOT if at_root else RemotePath(path)
        try:
            info = self._call(lambda: self._backend.get_folder_info(key))
        except NotFound:
            if at_root:
                return FolderInfo(path=RemotePath.ROOT, file_count=0, total_size=0)
            raise
        return dataclasses.replace(info, path=out_path)

    def _limited_folder_info(self, path: str, max_depth: int) -> FolderInfo:
        self._require(Capability.LIST)
        key = self._query_key(path)
        at_root = isinstance(path, str) and is_root(path)
        if not self.is_folder(path):
            if self._call(lambda: self._backend.is_file(key)):
                raise InvalidPath(
                    "Path is a file, not a folder (Not a folder)", path=path, backend=self.name
                )
            raise NotFound("Folder does not exist (Folder not found)", path=path, backend=self.name)
        return summarise_files(
            RemotePath.ROOT if at_root else RemotePath(path),
            self.list_files(path, max_depth=max_depth),
        )

    def head(self, path: str) -> WriteResult:
        """A ``WriteResult(source="sidecar")`` built from ``get_file_info`` (works read-only)."""
        info = self.get_file_info(path)
        return WriteResult(
            path=info.path,
            size=info.size,
            source="sidecar",
            digest=info.digest,
            etag=info.etag,
            version_id=None,
            last_modified=None if info.modified_at == UNKNOWN_TIME else info.modified_at,
            metadata=info.metadata,
        )

    # -- lifecycle and interop ------------------------------------------------
    @property
    def name(self) -> str:
        return self._backend.name

    def ping(self) -> None:
        """Cheapest round trip proving the backend is reachable and usable."""
        self._debug("ping", "")
        self._call(self._backend.check_health)

    def close(self) -> None:
        """Close the backend if this store owns it; otherwise a no-op."""
        if self._owns_backend:
            self._backend.close()

    def child(self, subpath: str) -> Store:
        """A store rooted at ``subpath`` below this one, sharing (not owning) the backend."""
        sub = str(RemotePath(subpath))
        return Store._borrowing(self._backend, self._join(sub))

    def unwrap(self, type_hint: type[T]) -> T:
        return self._backend.unwrap(type_hint)

    def native_path(self, key: str) -> str:
        return self._backend.native_path(self._query_key(key))

    def to_key(self, path: str) -> str:
        key = self._backend.to_key(require_str(path, "path"))
        if not self._root:
            return key
        if key == self._root:
            return ""
        if key.startswith(self._root + "/"):
            return key[len(self._root) + 1 :]
        raise InvalidPath(
            f"{path!r} is not under store root {self._root!r}", path=path, backend=self.name
        )

    def supports(self, capability: Capability) -> bool:
        return self._backend.capabilities.supports(capability)
