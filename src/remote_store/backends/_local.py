"""``LocalBackend``: a directory on the local filesystem.

Containment: every key is joined under the root after rejecting ``..`` and
NUL, and the deepest existing component of the result is resolved (symlinks
followed, broken ones too) and must still lie under the root; otherwise the
operation is refused with ``InvalidPath``. A root directory that has been
deleted reads as "absent" (probes ``False``, listings empty, tolerant deletes
return) rather than as an escape.

Writes that must not clobber are decided by the kernel, not by a prior check:
plain writes open with ``O_CREAT | O_EXCL``; atomic writes promote their temp
file with ``os.link`` (which fails if the target appeared meanwhile) and then
unlink the temp. Overwriting atomic writes promote with ``os.replace``.
``move``/``copy`` destinations keep a check-then-act for ``overwrite=False``
(documented race: a file created between the check and the rename is replaced).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NoReturn

from .._backend import AtomicWriter, Backend, Content, Metadata
from .._backend_rules import (
    exists_error,
    file_ancestor_error,
    folder_target_error,
    is_temp_name,
    summarise_files,
    temp_name,
)
from .._capabilities import Capability, CapabilitySet
from .._errors import (
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from .._glob import glob_via_listing, translate_glob
from .._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from .._path import RemotePath, addressable_segments, require_str
from .._streams import check_content, guard_content

__all__ = ["LocalBackend"]

_CHUNK = 1024 * 1024


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime, UTC)


class LocalBackend(Backend):
    """Files under ``root`` (created at construction). Registry type ``"local"``."""

    CAPABILITIES = CapabilitySet.all_except(Capability.USER_METADATA)

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, str | os.PathLike) or not os.fspath(root):
            raise ValueError("LocalBackend root must be a non-empty path")
        self._root = Path(os.path.realpath(os.path.expanduser(os.fspath(root))))
        self._root.mkdir(parents=True, exist_ok=True)
        self._root_text = str(self._root)

    @property
    def name(self) -> str:
        return "local"

    @property
    def root(self) -> Path:
        return self._root

    def __repr__(self) -> str:
        return f"LocalBackend(root={self._root_text!r})"

    # -- addressing and containment -------------------------------------------
    def _segments(self, path: str) -> list[str]:
        segments = super()._segments(path)
        try:
            os.fsencode("/".join(segments))
        except UnicodeEncodeError as exc:
            raise InvalidPath(
                "Path cannot be encoded for the local filesystem", path=path, backend=self.name
            ) from exc
        return segments

    def _inside(self, real: str) -> bool:
        return real == self._root_text or real.startswith(self._root_text + os.sep)

    def _escapes(self, segments: list[str]) -> bool:
        """Whether the deepest existing component of the path resolves outside the root.

        With no component present the root itself decides: a deleted root reads as absent
        (R-ABSENT), but a root replaced by a symlink to elsewhere is an escape.
        """
        for depth in range(len(segments), -1, -1):
            candidate = self._root.joinpath(*segments[:depth])
            try:
                present = os.path.lexists(candidate)
            except (OSError, ValueError):
                present = False
            if present:
                return not self._inside(os.path.realpath(candidate))
        return False

    def _contain(self, key: str, segments: list[str]) -> Path:
        """The target path, refused if its deepest existing component resolves outside."""
        if self._escapes(segments):
            raise InvalidPath("Path escapes root directory", path=key, backend=self.name)
        return self._root.joinpath(*segments)

    def _resolve(self, key: str) -> tuple[list[str], Path]:
        segments = self._segments(key)
        return segments, self._contain(key, segments)

    def _resolve_file(self, key: str) -> tuple[list[str], Path]:
        segments = self._file_segments(key)
        return segments, self._contain(key, segments)

    def _map(self, exc: OSError, key: str, *, is_dir_hint: bool = False) -> RemoteStoreError:
        """Classify an ``OSError`` by type/errno (never a blanket mapping)."""
        name = self.name
        if isinstance(exc, FileNotFoundError | NotADirectoryError):
            return NotFound("No such file or folder (File not found)", path=key, backend=name)
        if isinstance(exc, IsADirectoryError):
            return InvalidPath("Path is a folder, not a file (Not a file)", path=key, backend=name)
        if isinstance(exc, FileExistsError):
            return exists_error(key, name)
        if isinstance(exc, PermissionError):
            if is_dir_hint:
                return InvalidPath(
                    "Path is a folder, not a file (Not a file)", path=key, backend=name
                )
            return PermissionDenied(f"Permission denied: {exc.strerror}", path=key, backend=name)
        if exc.errno == errno.ENOTEMPTY:
            return DirectoryNotEmpty(
                "Folder is not empty (Folder not empty)", path=key, backend=name
            )
        if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL):
            return InvalidPath(f"Invalid local path: {exc.strerror}", path=key, backend=name)
        return RemoteStoreError(f"Local filesystem error: {exc}", path=key, backend=name)

    def _raise(self, exc: OSError, key: str, *, is_dir_hint: bool = False) -> NoReturn:
        raise self._map(exc, key, is_dir_hint=is_dir_hint) from exc

    @staticmethod
    def _stat(path: Path) -> os.stat_result | None:
        try:
            return path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP):
                return None
            raise

    def _lstat_or_stat(self, key: str, path: Path) -> os.stat_result | None:
        try:
            return self._stat(path)
        except OSError as exc:
            self._raise(exc, key)

    # -- probes ---------------------------------------------------------------
    def exists(self, path: str) -> bool:
        segments, target = self._resolve(path)
        return not segments or self._lstat_or_stat(path, target) is not None

    def is_file(self, path: str) -> bool:
        segments, target = self._resolve(path)
        if not segments:
            return False
        st = self._lstat_or_stat(path, target)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_folder(self, path: str) -> bool:
        segments, target = self._resolve(path)
        if not segments:
            return True
        st = self._lstat_or_stat(path, target)
        return st is not None and stat.S_ISDIR(st.st_mode)

    # -- reads ----------------------------------------------------------------
    def read(self, path: str) -> BinaryIO:
        _, target = self._resolve_file(path)
        try:
            return open(target, "rb")  # the caller owns the stream
        except OSError as exc:
            self._raise(exc, path, is_dir_hint=os.path.isdir(target))

    def read_bytes(self, path: str) -> bytes:
        _, target = self._resolve_file(path)
        try:
            with open(target, "rb") as handle:
                return handle.read()
        except OSError as exc:
            self._raise(exc, path, is_dir_hint=os.path.isdir(target))

    # -- writes ---------------------------------------------------------------
    def _prepare_target(
        self, path: str, overwrite: bool, metadata: Mapping[str, str] | None
    ) -> tuple[list[str], Path]:
        """R-WRITE-ORDER: root, folder at target, file ancestor, early AlreadyExists, parents."""
        if metadata:
            raise CapabilityNotSupported(
                "Capability 'user_metadata' is not supported",
                path=path,
                backend=self.name,
                capability=Capability.USER_METADATA.value,
            )
        segments, target = self._resolve_file(path)
        self._check_destination(path, segments, target, overwrite)
        self._make_parents(path, segments, target)
        return segments, target

    def _check_destination(
        self, path: str, segments: list[str], target: Path, overwrite: bool
    ) -> None:
        for depth in range(1, len(segments)):
            ancestor = self._root.joinpath(*segments[:depth])
            st = self._lstat_or_stat(path, ancestor)
            if st is None:
                break
            if not stat.S_ISDIR(st.st_mode):
                raise file_ancestor_error(path, "/".join(segments[:depth]), self.name)
        st = self._lstat_or_stat(path, target)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise folder_target_error(path, self.name)
        if st is not None and not overwrite:
            raise exists_error(path, self.name)

    def _make_parents(self, path: str, segments: list[str], target: Path) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (NotADirectoryError, FileExistsError) as exc:
            # A file appeared in the way after the check: name the first one found.
            depth = next(
                (
                    d
                    for d in range(1, len(segments))
                    if self._root.joinpath(*segments[:d]).is_file()
                ),
                len(segments) - 1,
            )
            raise file_ancestor_error(path, "/".join(segments[:depth]), self.name) from exc
        except OSError as exc:
            self._raise(exc, path)

    def _guard(self, content: Content, path: str) -> Content:
        """R-WRITE-STREAM: the caller's stream failing is a ``RemoteStoreError``, not an OSError."""
        return guard_content(content, path=path, backend=self.name)  # type: ignore[return-value]

    @staticmethod
    def _copy_into(content: Content, handle: BinaryIO) -> int:
        if isinstance(content, bytes | bytearray | memoryview):
            handle.write(content)
            return len(content)
        size = 0
        while True:
            chunk = content.read(_CHUNK)
            if not chunk:
                return size
            handle.write(chunk)
            size += len(chunk)

    def _result(self, segments: list[str], target: Path, size: int) -> WriteResult:
        try:
            modified = _mtime(target.stat())
        except OSError:
            modified = None
        return WriteResult(
            path=RemotePath("/".join(segments)), size=size, source="native", last_modified=modified
        )

    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """In place, not atomic. ``overwrite=False`` is decided by ``O_EXCL``."""
        check_content(content)
        content = self._guard(content, path)
        segments, target = self._prepare_target(path, overwrite, metadata)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
        try:
            fd = os.open(target, flags | getattr(os, "O_BINARY", 0), 0o666)
        except OSError as exc:
            self._raise(exc, path, is_dir_hint=os.path.isdir(target))
        try:
            with os.fdopen(fd, "wb") as handle:
                size = self._copy_into(content, handle)
        except BaseException as exc:
            # No partial file is left behind (R-WRITE-STREAM), whoever failed.
            with contextlib.suppress(OSError):
                os.unlink(target)
            if isinstance(exc, OSError):
                self._raise(exc, path)
            raise
        return self._result(segments, target, size)

    def _temp_for(self, target: Path) -> tuple[Path, int]:
        for _ in range(16):
            temp = target.parent / temp_name(target.name)
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            return temp, fd
        raise FileExistsError(errno.EEXIST, "could not allocate a temp file", str(target.parent))

    def _promote(self, path: str, temp: Path, target: Path, overwrite: bool) -> None:
        """Atomically publish ``temp`` at ``target``; no-clobber via ``os.link``."""
        if overwrite:
            os.replace(temp, target)
            return
        try:
            os.link(temp, target)
        except FileExistsError as exc:
            if os.path.isdir(target):
                raise folder_target_error(path, self.name) from exc
            raise exists_error(path, self.name) from exc
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # Filesystem without hard links: documented check-then-act fallback.
            if os.path.lexists(target):
                raise exists_error(path, self.name) from exc
            os.replace(temp, target)
            return
        os.unlink(temp)

    @contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        segments, target = self._prepare_target(path, overwrite, metadata)
        try:
            temp, fd = self._temp_for(target)
        except OSError as exc:
            self._raise(exc, path)
        handle = os.fdopen(fd, "wb")

        def commit(size: int) -> WriteResult:
            try:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                self._promote(path, temp, target, overwrite)
            except OSError as exc:
                self._raise(exc, path, is_dir_hint=os.path.isdir(target))
            return self._result(segments, target, size)

        def discard() -> None:
            handle.close()
            with suppress(FileNotFoundError):
                os.unlink(temp)

        with self._atomic_session(handle, commit=commit, discard=discard) as writer:
            yield writer

    # -- deletes --------------------------------------------------------------
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        _, target = self._resolve_file(path)
        if os.path.isdir(target):
            raise InvalidPath(
                "Path is a folder, not a file (Not a file)", path=path, backend=self.name
            )
        try:
            os.unlink(target)
        except (FileNotFoundError, NotADirectoryError) as exc:
            if missing_ok:
                return
            self._raise(exc, path)
        except OSError as exc:
            self._raise(exc, path, is_dir_hint=os.path.isdir(target))

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        _, target = self._resolve_file(path)
        st = self._lstat_or_stat(path, target)
        if st is None:
            if missing_ok:
                return
            raise NotFound("Folder does not exist (Folder not found)", path=path, backend=self.name)
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidPath(
                "Path is a file, not a folder (Not a folder)", path=path, backend=self.name
            )
        try:
            if recursive:
                shutil.rmtree(target)
            else:
                os.rmdir(target)
        except (FileNotFoundError, NotADirectoryError) as exc:
            if missing_ok:
                return
            self._raise(exc, path)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) or getattr(exc, "winerror", 0) == 145:
                raise DirectoryNotEmpty(
                    "Folder is not empty (Folder not empty)", path=path, backend=self.name
                ) from exc
            self._raise(exc, path)

    # -- listings -------------------------------------------------------------
    def _kind(self, entry: os.DirEntry[str]) -> str | None:
        """``"file"``, ``"dir"`` or ``None`` (skip: vanished, special, or symlink escaping)."""
        try:
            if entry.is_symlink() and not self._inside(os.path.realpath(entry.path)):
                return None
            if entry.is_dir(follow_symlinks=False):
                return "dir"
            if entry.is_file():
                return "file"
        except OSError:
            return None
        return None

    def _entry_info(self, key: str, entry: os.DirEntry[str]) -> FileInfo | None:
        try:
            st = entry.stat()
        except OSError:
            return None
        return FileInfo(
            path=RemotePath(key), name=entry.name, size=st.st_size, modified_at=_mtime(st)
        )

    def _scan(self, key: str, folder: Path) -> Iterator[os.DirEntry[str]]:
        """The entries of ``folder`` that are user data: our own temp files (``is_temp_name``,
        left behind by a process killed inside ``open_atomic``) are never listed."""
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if is_temp_name(entry.name):
                        continue
                    yield entry
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            self._raise(exc, key)

    def _walk(
        self, prefix: str, folder: Path, recursive: bool, max_depth: int | None, depth: int
    ) -> Iterator[FileInfo]:
        """Files of ``folder``, then of each subfolder in turn (depth first, pre-order).

        An explicit stack rather than recursion: a tree of any depth is walked without
        ``RecursionError``.
        """
        stack: list[tuple[str, Path, int]] = [(prefix, folder, depth)]
        while stack:
            prefix, folder, depth = stack.pop()
            subfolders: list[tuple[str, Path, int]] = []
            for entry in self._scan(prefix, folder):
                key = f"{prefix}/{entry.name}" if prefix else entry.name
                kind = self._kind(entry)
                if kind == "file":
                    info = self._entry_info(key, entry)
                    if info is not None:
                        yield info
                elif kind == "dir" and recursive and (max_depth is None or depth < max_depth):
                    subfolders.append((key, Path(entry.path), depth + 1))
            stack.extend(reversed(subfolders))

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        segments, target = self._resolve(path)
        return self._walk("/".join(segments), target, recursive, max_depth, 0)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        segments, target = self._resolve(path)
        prefix = "/".join(segments)
        for entry in self._scan(prefix, target):
            if self._kind(entry) == "dir":
                key = f"{prefix}/{entry.name}" if prefix else entry.name
                yield FolderEntry(path=RemotePath(key), name=entry.name)

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        segments, target = self._resolve(path)
        prefix = "/".join(segments)
        for entry in self._scan(prefix, target):
            key = f"{prefix}/{entry.name}" if prefix else entry.name
            kind = self._kind(entry)
            if kind == "dir":
                yield FolderEntry(path=RemotePath(key), name=entry.name)
            elif kind == "file":
                info = self._entry_info(key, entry)
                if info is not None:
                    yield info

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files matching ``pattern``; a literal prefix that leads outside the root matches nothing.

        A listing never fails because one entry is out of bounds (§8.9): ``symdir/*.txt``
        through a symlink to elsewhere is skipped exactly as ``**/*.txt`` skips it.
        """
        if self._escapes(self._segments(translate_glob(pattern).prefix)):
            return iter(())
        return glob_via_listing(self, pattern)

    # -- metadata -------------------------------------------------------------
    def get_file_info(self, path: str) -> FileInfo:
        segments, target = self._resolve_file(path)
        st = self._lstat_or_stat(path, target)
        if st is None:
            raise NotFound("File does not exist (File not found)", path=path, backend=self.name)
        if stat.S_ISDIR(st.st_mode):
            raise InvalidPath(
                "Path is a folder, not a file (Not a file)", path=path, backend=self.name
            )
        return FileInfo(
            path=RemotePath("/".join(segments)),
            name=segments[-1],
            size=st.st_size,
            modified_at=_mtime(st),
        )

    def get_folder_info(self, path: str) -> FolderInfo:
        segments, target = self._resolve(path)
        if segments:
            st = self._lstat_or_stat(path, target)
            if st is None:
                raise NotFound(
                    "Folder does not exist (Folder not found)", path=path, backend=self.name
                )
            if not stat.S_ISDIR(st.st_mode):
                raise InvalidPath(
                    "Path is a file, not a folder (Not a folder)", path=path, backend=self.name
                )
        return summarise_files(
            RemotePath.from_backend_path("/".join(segments)),
            self._walk("/".join(segments), target, True, None, 0),
        )

    # -- move / copy ----------------------------------------------------------
    def _prepare_transfer(
        self, src: str, dst: str, overwrite: bool
    ) -> tuple[Path, Path, list[str]] | None:
        """R-MOVE order; ``None`` means "same path, nothing to do"."""
        _, source = self._resolve_file(src)
        dst_segments, target = self._resolve_file(dst)
        st = self._lstat_or_stat(src, source)
        if st is None:
            raise NotFound("Source does not exist (Source not found)", path=src, backend=self.name)
        if stat.S_ISDIR(st.st_mode):
            raise InvalidPath(
                "Source is a folder, not a file (Source is a directory)",
                path=src,
                backend=self.name,
            )
        if source == target:
            return None
        self._check_destination(dst, dst_segments, target, overwrite)
        self._make_parents(dst, dst_segments, target)
        return source, target, dst_segments

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        prepared = self._prepare_transfer(src, dst, overwrite)
        if prepared is None:
            return
        source, target, _ = prepared
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                self._raise(exc, dst)
            try:
                shutil.move(source, target)  # another filesystem: copy + delete (not atomic)
            except OSError as inner:
                self._raise(inner, dst)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy through a temp file in the destination folder, then rename into place.

        The copy is a new file: its modification time is "now" (IO-20), as on
        the other backends; permission bits are copied.
        """
        prepared = self._prepare_transfer(src, dst, overwrite)
        if prepared is None:
            return
        source, target, _ = prepared
        temp: Path | None = None
        try:
            temp, fd = self._temp_for(target)
            os.close(fd)
            shutil.copyfile(source, temp)
            shutil.copymode(source, temp)
            self._promote(dst, temp, target, overwrite)
        except OSError as exc:
            if temp is not None:
                with suppress(FileNotFoundError):
                    os.unlink(temp)
            self._raise(exc, dst)
        except BaseException:
            if temp is not None:
                with suppress(FileNotFoundError):
                    os.unlink(temp)
            raise

    # -- addressing and lifecycle ---------------------------------------------
    def native_path(self, key: str) -> str:
        segments = addressable_segments(key)
        root = self._root.as_posix()
        return f"{root}/{'/'.join(segments)}" if segments else root

    def to_key(self, native_path: str) -> str:
        require_str(native_path, "native_path")
        text = native_path.replace("\\", "/")
        root = self._root.as_posix()
        if text == root:
            return ""
        if text.startswith(root + "/"):
            return text[len(root) + 1 :]
        return native_path

    def check_health(self) -> None:
        """The one operation that observes the real root directory."""
        if not self._root.is_dir():
            raise NotFound(
                "Root directory does not exist (Root directory not found)",
                path="",
                backend=self.name,
            )
        if not os.access(self._root, os.R_OK | os.X_OK):
            raise PermissionDenied("Root directory is not readable", path="", backend=self.name)
