"""``MemoryBackend``: an in-process tree, for tests and scratch data.

Folders are explicit nodes (like a filesystem): writing ``a/b/c`` creates ``a``
and ``a/b``; deleting the last file keeps the folder. One lock guards every
traversal and mutation, so each operation is atomic; listings take a snapshot
under the lock and yield outside it, so a caller may use the backend while
iterating.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from .._backend import AtomicWriter, Backend, Content, Metadata
from .._backend_rules import exists_error, file_ancestor_error, folder_target_error, summarise_files
from .._capabilities import Capability, CapabilitySet
from .._errors import DirectoryNotEmpty, InvalidPath, NotFound
from .._metadata import normalize_metadata
from .._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from .._path import RemotePath
from .._streams import check_content, guard_content

__all__ = ["MemoryBackend"]

_CHUNK = 64 * 1024


@dataclass
class _File:
    data: bytes
    modified_at: datetime
    content_type: str | None = None
    metadata: dict[str, str] | None = None


@dataclass
class _Dir:
    children: dict[str, _File | _Dir]


def _drain(content: Content) -> bytes:
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    chunks: list[bytes] = []
    while True:
        chunk = content.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(bytes(chunk))


class MemoryBackend(Backend):
    """Everything in a dict tree; no parameters. Registry type ``"memory"``."""

    CAPABILITIES = CapabilitySet.all_except(Capability.GLOB, Capability.LAZY_READ)

    def __init__(self) -> None:
        self._tree = _Dir({})
        self._lock = threading.Lock()
        self._files = 0
        self._folders = 0

    @property
    def name(self) -> str:
        return "memory"

    def __repr__(self) -> str:
        return f"MemoryBackend(files={self._files}, folders={self._folders})"

    # -- helpers --------------------------------------------------------------
    def _segments(self, path: str) -> list[str]:
        segments = super()._segments(path)
        if segments and path.startswith("/"):
            raise InvalidPath("Path must be relative", path=path, backend=self.name)
        return segments

    def _lookup(self, segments: list[str]) -> _File | _Dir | None:
        node: _File | _Dir = self._tree
        for segment in segments:
            if not isinstance(node, _Dir):
                return None
            child = node.children.get(segment)
            if child is None:
                return None
            node = child
        return node

    def _check_target(self, key: str, segments: list[str], overwrite: bool) -> None:
        """R-WRITE-ORDER steps 1-2 (caller holds the lock)."""
        node: _File | _Dir = self._tree
        for depth, segment in enumerate(segments[:-1], start=1):
            assert isinstance(node, _Dir)
            child = node.children.get(segment)
            if child is None:
                return
            if isinstance(child, _File):
                raise file_ancestor_error(key, "/".join(segments[:depth]), self.name)
            node = child
        assert isinstance(node, _Dir)
        existing = node.children.get(segments[-1])
        if isinstance(existing, _Dir):
            raise folder_target_error(key, self.name)
        if existing is not None and not overwrite:
            raise exists_error(key, self.name)

    def _parent_dir(self, segments: list[str]) -> _Dir:
        """Create missing parents (caller holds the lock and has run ``_check_target``)."""
        node = self._tree
        for segment in segments[:-1]:
            child = node.children.get(segment)
            if child is None:
                child = _Dir({})
                node.children[segment] = child
                self._folders += 1
            assert isinstance(child, _Dir)
            node = child
        return node

    def _info(self, segments: list[str], entry: _File) -> FileInfo:
        return FileInfo(
            path=RemotePath("/".join(segments)),
            name=segments[-1],
            size=len(entry.data),
            modified_at=entry.modified_at,
            content_type=entry.content_type,
            metadata=dict(entry.metadata) if entry.metadata else None,
        )

    @staticmethod
    def _count(node: _Dir) -> tuple[int, int]:
        """Files and folders below ``node``, walked with an explicit stack (any depth)."""
        files = folders = 0
        stack = [node]
        while stack:
            for child in stack.pop().children.values():
                if isinstance(child, _Dir):
                    folders += 1
                    stack.append(child)
                else:
                    files += 1
        return files, folders

    # -- probes ---------------------------------------------------------------
    def exists(self, path: str) -> bool:
        segments = self._segments(path)
        with self._lock:
            return self._lookup(segments) is not None

    def is_file(self, path: str) -> bool:
        segments = self._segments(path)
        with self._lock:
            return isinstance(self._lookup(segments), _File)

    def is_folder(self, path: str) -> bool:
        segments = self._segments(path)
        with self._lock:
            return isinstance(self._lookup(segments), _Dir)

    # -- reads ----------------------------------------------------------------
    def _get_file(self, path: str) -> tuple[list[str], _File]:
        segments = self._file_segments(path)
        with self._lock:
            node = self._lookup(segments)
        if node is None:
            raise NotFound("File does not exist (File not found)", path=path, backend=self.name)
        if isinstance(node, _Dir):
            raise InvalidPath(
                "Path is a folder, not a file (Not a file)", path=path, backend=self.name
            )
        return segments, node

    def read(self, path: str) -> BinaryIO:
        return io.BytesIO(self._get_file(path)[1].data)

    def read_bytes(self, path: str) -> bytes:
        return self._get_file(path)[1].data

    # -- writes ---------------------------------------------------------------
    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        check_content(content)
        segments = self._file_segments(path)
        normalised = normalize_metadata(metadata)
        with self._lock:
            # Fail before draining the caller's stream; re-checked at commit.
            self._check_target(path, segments, overwrite)
        # R-WRITE-STREAM: the caller's stream failing is a RemoteStoreError; nothing was stored.
        data = _drain(guard_content(content, path=path, backend=self.name))  # type: ignore[arg-type]
        with self._lock:
            self._check_target(path, segments, overwrite)  # authoritative, under the same lock
            parent = self._parent_dir(segments)
            now = datetime.now(UTC)
            existing = parent.children.get(segments[-1])
            if isinstance(existing, _File):
                existing.data = data
                existing.modified_at = now
                existing.metadata = normalised
            else:
                parent.children[segments[-1]] = _File(data, now, metadata=normalised)
                self._files += 1
        return WriteResult(
            path=RemotePath("/".join(segments)),
            size=len(data),
            source="native",
            last_modified=now,
            metadata=dict(normalised) if normalised else None,
        )

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        # Every memory write is atomic (the entry is swapped under the lock): one code path.
        return self.write(path, content, overwrite=overwrite, metadata=metadata)

    @contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        segments = self._file_segments(path)
        normalised = normalize_metadata(metadata)
        with self._lock:
            self._check_target(path, segments, overwrite)
        buffer = io.BytesIO()
        with self._atomic_session(
            buffer,
            # Every memory write is atomic: the entry is swapped under the lock.
            commit=lambda _size: self.write(
                path, buffer.getvalue(), overwrite=overwrite, metadata=normalised
            ),
            discard=buffer.close,
        ) as writer:
            yield writer

    # -- deletes --------------------------------------------------------------
    def _delete_target(
        self, path: str, segments: list[str], *, folder: bool, missing_ok: bool
    ) -> _File | _Dir | None:
        """R-DELETE checks (caller holds the lock): the node, or ``None`` if absent and allowed."""
        node = self._lookup(segments)
        if node is not None and isinstance(node, _Dir) is not folder:
            message = (
                "Path is a file, not a folder (Not a folder)"
                if folder
                else "Path is a folder, not a file (Not a file)"
            )
            raise InvalidPath(message, path=path, backend=self.name)
        if node is None and not missing_ok:
            message = (
                "Folder does not exist (Folder not found)"
                if folder
                else "File does not exist (File not found)"
            )
            raise NotFound(message, path=path, backend=self.name)
        return node

    def _detach(self, segments: list[str]) -> None:
        parent = self._lookup(segments[:-1])
        assert isinstance(parent, _Dir)
        del parent.children[segments[-1]]

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        segments = self._file_segments(path)
        with self._lock:
            if self._delete_target(path, segments, folder=False, missing_ok=missing_ok) is None:
                return
            self._detach(segments)
            self._files -= 1

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        segments = self._file_segments(path)
        with self._lock:
            node = self._delete_target(path, segments, folder=True, missing_ok=missing_ok)
            if node is None:
                return
            assert isinstance(node, _Dir)
            if node.children and not recursive:
                raise DirectoryNotEmpty(
                    "Folder is not empty (Folder not empty)", path=path, backend=self.name
                )
            files, folders = self._count(node)
            self._detach(segments)
            self._files -= files
            self._folders -= folders + 1

    # -- listings -------------------------------------------------------------
    def _snapshot_files(
        self, segments: list[str], recursive: bool, max_depth: int | None
    ) -> list[FileInfo]:
        with self._lock:
            node = self._lookup(segments)
            if not isinstance(node, _Dir):
                return []
            found: list[FileInfo] = []
            stack: list[tuple[list[str], _Dir, int]] = [(segments, node, 0)]
            while stack:
                prefix, folder, depth = stack.pop()
                for name, child in folder.children.items():
                    if isinstance(child, _File):
                        found.append(self._info([*prefix, name], child))
                    elif recursive and (max_depth is None or depth < max_depth):
                        stack.append(([*prefix, name], child, depth + 1))
            return found

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        segments = self._segments(path)
        return iter(self._snapshot_files(segments, recursive, max_depth))

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        segments = self._segments(path)
        with self._lock:
            node = self._lookup(segments)
            names = (
                [n for n, c in node.children.items() if isinstance(c, _Dir)]
                if isinstance(node, _Dir)
                else []
            )
        for name in names:
            yield FolderEntry(path=RemotePath("/".join([*segments, name])), name=name)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        segments = self._segments(path)
        children: list[FileInfo | FolderEntry] = []
        with self._lock:
            node = self._lookup(segments)
            if isinstance(node, _Dir):
                for name, child in node.children.items():
                    if isinstance(child, _File):
                        children.append(self._info([*segments, name], child))
                    else:
                        children.append(
                            FolderEntry(path=RemotePath("/".join([*segments, name])), name=name)
                        )
        yield from children

    # -- metadata -------------------------------------------------------------
    def get_file_info(self, path: str) -> FileInfo:
        segments, entry = self._get_file(path)
        return self._info(segments, entry)

    def get_folder_info(self, path: str) -> FolderInfo:
        segments = self._segments(path)
        with self._lock:
            node = self._lookup(segments)
        if isinstance(node, _File):
            raise InvalidPath(
                "Path is a file, not a folder (Not a folder)", path=path, backend=self.name
            )
        if node is None:
            raise NotFound("Folder does not exist (Folder not found)", path=path, backend=self.name)
        return summarise_files(
            RemotePath.from_backend_path("/".join(segments)),
            self._snapshot_files(segments, True, None),
        )

    # -- move / copy ----------------------------------------------------------
    def _transfer(self, src: str, dst: str, overwrite: bool, *, keep: bool) -> None:
        src_segments = self._file_segments(src)
        dst_segments = self._file_segments(dst)
        with self._lock:
            node = self._lookup(src_segments)
            if node is None:
                raise NotFound(
                    "Source does not exist (Source not found)", path=src, backend=self.name
                )
            if isinstance(node, _Dir):
                raise InvalidPath(
                    "Source is a folder, not a file (Source is a directory)",
                    path=src,
                    backend=self.name,
                )
            if src_segments == dst_segments:
                return
            self._check_target(dst, dst_segments, overwrite)
            parent = self._parent_dir(dst_segments)
            replaced = parent.children.get(dst_segments[-1]) is not None
            if keep:
                entry = _File(
                    node.data,
                    datetime.now(UTC),
                    node.content_type,
                    dict(node.metadata) if node.metadata else None,
                )
            else:
                entry = node
                src_parent = self._lookup(src_segments[:-1])
                assert isinstance(src_parent, _Dir)
                del src_parent.children[src_segments[-1]]
                self._files -= 1
            parent.children[dst_segments[-1]] = entry
            if not replaced:
                self._files += 1

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._transfer(src, dst, overwrite, keep=False)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._transfer(src, dst, overwrite, keep=True)
