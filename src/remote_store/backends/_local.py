"""``LocalBackend``: a directory on the local filesystem.

Containment is not check-then-use. Every key is resolved component by component
from a directory fd opened on the root (``_local_fs.at``), never through a path
string, and every operation then acts relative to the final folder's fd with
``O_NOFOLLOW``/``follow_symlinks=False``. A symlink inside the root is followed
only when its whole resolution stays inside (the link is resolved with the same
fd walk, so a directory swapped for a link to elsewhere cannot redirect a read,
write, delete or temp file); a path that leads out is ``InvalidPath``. A root
that has been deleted reads as "absent" (probes ``False``, listings empty,
tolerant deletes return); a root replaced by a symlink is an escape.

Writes that must not clobber are decided by the kernel, not by a prior check:
plain writes open with ``O_CREAT | O_EXCL``; atomic writes promote their temp
file with ``link`` (which fails if the target appeared meanwhile) and then
unlink the temp. Overwriting atomic writes promote with ``rename``.
``move``/``copy`` destinations keep a check-then-act for ``overwrite=False``
(documented race: a file created between the check and the rename is replaced).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NoReturn, cast

from .._backend import AtomicWriter, Backend, Content, Metadata
from .._backend_rules import (
    exists_error,
    file_ancestor_error,
    folder_target_error,
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
from . import _local_fs as _fs
from ._local_fs import Location

__all__ = ["LocalBackend"]

_CHUNK = 1024 * 1024


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime, UTC)


class _TempSink:
    """The temp file behind a local ``open_atomic``.

    An ``OSError`` while the caller writes (a full disk, a file-size limit) leaves as the
    backend's typed error, like every other local failure, not as a raw ``OSError``.
    """

    def __init__(self, handle: BinaryIO, fail: Callable[[OSError], NoReturn]) -> None:
        self._handle = handle
        self._fail = fail

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def write(self, data: memoryview, /) -> object:
        try:
            return self._handle.write(data)
        except OSError as exc:
            self._fail(exc)

    def flush(self) -> object:
        try:
            return self._handle.flush()
        except OSError as exc:
            self._fail(exc)


class LocalBackend(Backend):
    """Files under ``root`` (created at construction). Registry type ``"local"``."""

    CAPABILITIES = CapabilitySet.all_except(Capability.USER_METADATA)

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, str | os.PathLike) or not os.fspath(root):
            raise ValueError("LocalBackend root must be a non-empty path")
        if not _fs.SUPPORTED:
            raise ValueError("LocalBackend needs POSIX dir_fd support (os.open(dir_fd=...))")
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

    def _escape(self, key: str) -> InvalidPath:
        return InvalidPath("Path escapes root directory", path=key, backend=self.name)

    @contextmanager
    def _at(
        self,
        key: str,
        segments: list[str],
        *,
        follow_last: bool = True,
        create: bool = False,
    ) -> Iterator[Location]:
        """The location of ``segments`` (see ``_local_fs``); every error leaves typed.

        ``Escape`` is ``InvalidPath``, a file in the way of ``create`` is the
        file-ancestor error, and any ``OSError`` raised in the block is mapped
        (``_map``) with ``key`` attached.
        """
        try:
            with _fs.at(self._root_text, segments, follow_last=follow_last, create=create) as loc:
                yield loc
        except _fs.Escape as exc:
            raise self._escape(key) from exc
        except _fs.FileInTheWay as exc:
            raise file_ancestor_error(key, "/".join(exc.segments), self.name) from exc
        except OSError as exc:
            self._raise(exc, key)

    def _map(self, exc: OSError, key: str) -> RemoteStoreError:
        """Classify an ``OSError`` by type/errno (never a blanket mapping)."""
        name = self.name
        if isinstance(exc, FileNotFoundError | NotADirectoryError):
            return NotFound("No such file or folder (File not found)", path=key, backend=name)
        if isinstance(exc, IsADirectoryError):
            return InvalidPath("Path is a folder, not a file (Not a file)", path=key, backend=name)
        if isinstance(exc, FileExistsError):
            return exists_error(key, name)
        if isinstance(exc, PermissionError):
            return PermissionDenied(f"Permission denied: {exc.strerror}", path=key, backend=name)
        if exc.errno == errno.ENOTEMPTY:
            return DirectoryNotEmpty(
                "Folder is not empty (Folder not empty)", path=key, backend=name
            )
        if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL):
            return InvalidPath(f"Invalid local path: {exc.strerror}", path=key, backend=name)
        return RemoteStoreError(f"Local filesystem error: {exc}", path=key, backend=name)

    def _raise(self, exc: OSError, key: str) -> NoReturn:
        raise self._map(exc, key) from exc

    def _probe(self, path: str) -> tuple[list[str], os.stat_result | None]:
        """R-PROBE: what is at ``path`` (links inside followed); absent in any way is ``None``."""
        segments = self._segments(path)
        try:
            with _fs.at(self._root_text, segments) as loc:
                return segments, loc.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return segments, None
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP):
                return segments, None
            self._raise(exc, path)
        except _fs.Escape as exc:
            raise self._escape(path) from exc

    # -- probes ---------------------------------------------------------------
    def exists(self, path: str) -> bool:
        segments, st = self._probe(path)
        return not segments or st is not None

    def is_file(self, path: str) -> bool:
        segments, st = self._probe(path)
        return bool(segments) and st is not None and stat.S_ISREG(st.st_mode)

    def is_folder(self, path: str) -> bool:
        segments, st = self._probe(path)
        return not segments or (st is not None and stat.S_ISDIR(st.st_mode))

    # -- reads ----------------------------------------------------------------
    def _open_file(self, path: str, loc: Location) -> int:
        """An fd for reading the regular file at ``loc`` (a folder is ``InvalidPath``)."""
        fd = loc.open(os.O_RDONLY)
        try:
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                raise InvalidPath(
                    "Path is a folder, not a file (Not a file)", path=path, backend=self.name
                )
        except BaseException:
            os.close(fd)
            raise
        return fd

    def read(self, path: str) -> BinaryIO:
        with self._at(path, self._file_segments(path)) as loc:
            return os.fdopen(self._open_file(path, loc), "rb")  # the caller owns the stream

    def read_bytes(self, path: str) -> bytes:
        with (
            self._at(path, self._file_segments(path)) as loc,
            os.fdopen(self._open_file(path, loc), "rb") as handle,
        ):
            return handle.read()

    # -- writes ---------------------------------------------------------------
    @contextmanager
    def _target(
        self, path: str, overwrite: bool, metadata: Mapping[str, str] | None
    ) -> Iterator[tuple[list[str], Location]]:
        """R-WRITE-ORDER: root, file ancestor, folder at target, early AlreadyExists; the
        parents are made as the path is resolved. Yields the key's segments and its place."""
        if metadata:
            raise CapabilityNotSupported(
                "Capability 'user_metadata' is not supported",
                path=path,
                backend=self.name,
                capability=Capability.USER_METADATA.value,
            )
        segments = self._file_segments(path)
        with self._at(path, segments, create=True) as loc:
            self._check_destination(path, loc, overwrite)
            yield segments, loc

    def _check_destination(self, path: str, loc: Location, overwrite: bool) -> None:
        st = loc.lstat()
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise folder_target_error(path, self.name)
        if st is not None and not overwrite:
            raise exists_error(path, self.name)

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

    @staticmethod
    def _result(segments: list[str], loc: Location, size: int) -> WriteResult:
        st = loc.lstat()
        return WriteResult(
            path=RemotePath("/".join(segments)),
            size=size,
            source="native",
            last_modified=_mtime(st) if st is not None else None,
        )

    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """In place, not atomic. ``overwrite=False`` is decided by ``O_EXCL``.

        Whatever fails after the file was opened (the caller's stream, a full disk),
        the file this call wrote is removed: no partial file blocks a retry.
        """
        check_content(content)
        content = self._guard(content, path)
        with self._target(path, overwrite, metadata) as (segments, loc):
            flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
            fd = loc.open(flags | getattr(os, "O_BINARY", 0))
            try:
                with os.fdopen(fd, "wb") as handle:
                    size = self._copy_into(content, handle)
            except BaseException:
                with contextlib.suppress(OSError):
                    loc.unlink()
                raise
            return self._result(segments, loc, size)

    @staticmethod
    def _temp_in(loc: Location) -> tuple[str, int]:
        """A fresh temp file next to ``loc`` (the naming convention of ``_backend_rules``)."""
        for _ in range(16):
            temp = temp_name(loc.name or "")
            try:
                fd = os.open(
                    temp,
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | _fs.FILE_FLAGS,
                    0o666,
                    dir_fd=loc.parent,
                )
            except FileExistsError:
                continue
            return temp, fd
        raise FileExistsError(errno.EEXIST, "could not allocate a temp file")

    def _promote(self, path: str, temp: str, loc: Location, overwrite: bool) -> None:
        """Atomically publish ``temp`` at ``loc``; no-clobber via ``link``."""
        parent, name = loc.parent, loc.leaf
        if overwrite:
            os.replace(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
            return
        try:
            os.link(temp, name, src_dir_fd=parent, dst_dir_fd=parent, follow_symlinks=False)
        except FileExistsError as exc:
            if stat.S_ISDIR(getattr(loc.lstat(), "st_mode", 0)):
                raise folder_target_error(path, self.name) from exc
            raise exists_error(path, self.name) from exc
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # Filesystem without hard links: documented check-then-act fallback.
            if loc.lstat() is not None:
                raise exists_error(path, self.name) from exc
            os.replace(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
            return
        os.unlink(temp, dir_fd=parent)

    @contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        with contextlib.ExitStack() as setup:
            segments, loc = setup.enter_context(self._target(path, overwrite, metadata))
            temp, fd = self._temp_in(loc)
            held = setup.pop_all()  # the folder fd stays open until the block ends
        handle = os.fdopen(fd, "wb")

        def commit(size: int) -> WriteResult:
            try:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                self._promote(path, temp, loc, overwrite)
            except OSError as exc:
                self._raise(exc, path)
            return self._result(segments, loc, size)

        def discard() -> None:
            handle.close()
            with suppress(OSError):
                os.unlink(temp, dir_fd=loc.parent)

        sink = _TempSink(handle, lambda exc: self._raise(exc, path))
        try:
            with self._atomic_session(sink, commit=commit, discard=discard) as writer:
                yield writer
        finally:
            held.close()  # no exception passed in: the caller's own errors are not remapped

    # -- deletes --------------------------------------------------------------
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Remove the file; a symlink is removed itself, never what it points to."""
        try:
            with self._at(path, self._file_segments(path), follow_last=False) as loc:
                st = loc.lstat()
                if st is not None and stat.S_ISDIR(st.st_mode):
                    raise InvalidPath(
                        "Path is a folder, not a file (Not a file)", path=path, backend=self.name
                    )
                loc.unlink()
        except NotFound:
            if not missing_ok:
                raise

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Remove the folder; a symlink to a folder is removed itself (never its target), and
        a recursive delete removes links found inside without following them."""
        segments = self._file_segments(path)
        try:
            with self._at(path, segments, follow_last=False) as loc:
                st = loc.lstat()
                if st is not None and stat.S_ISLNK(st.st_mode):
                    self._check_folder(path, self._probe(path)[1])
                    loc.unlink()
                    return
                self._check_folder(path, st)
                try:
                    if recursive:
                        _fs.remove_tree(loc.parent, loc.name or "", self._root_text, loc.segments)
                    else:
                        loc.rmdir()
                except OSError as exc:
                    if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                        raise DirectoryNotEmpty(
                            "Folder is not empty (Folder not empty)", path=path, backend=self.name
                        ) from exc
                    raise
        except NotFound:
            if not missing_ok:
                raise

    def _check_folder(self, path: str, st: os.stat_result | None) -> None:
        if st is None:
            raise NotFound("Folder does not exist (Folder not found)", path=path, backend=self.name)
        if not stat.S_ISDIR(st.st_mode):
            raise InvalidPath(
                "Path is a file, not a folder (Not a folder)", path=path, backend=self.name
            )

    # -- listings -------------------------------------------------------------
    def _file_entry(
        self, folder: int, entry: os.DirEntry[str], key: str, segments: list[str]
    ) -> FileInfo | None:
        """A listed file; a symlink is listed when it resolves to a file inside the root."""
        try:
            if entry.is_symlink():
                with _fs.at(self._root_text, [*segments, entry.name]) as loc:
                    st = loc.lstat()
            else:
                st = entry.stat(follow_symlinks=False)
        except (OSError, _fs.Escape):
            return None  # vanished, unreadable or out of bounds: skipped (§8.9)
        if st is None or not stat.S_ISREG(st.st_mode):
            return None
        return FileInfo(
            path=RemotePath(key), name=entry.name, size=st.st_size, modified_at=_mtime(st)
        )

    def _listing(
        self,
        path: str,
        *,
        recursive: bool,
        max_depth: int | None,
        folders: bool,
        files: bool = True,
    ) -> Iterator[FileInfo | FolderEntry]:
        segments = self._segments(path)
        prefix = "/".join(segments)

        def on_file(fd: int, entry: os.DirEntry[str], key: str, segs: list[str]) -> object:
            return self._file_entry(fd, entry, key, segs) if files else None

        def on_folder(key: str, name: str) -> object:
            return FolderEntry(path=RemotePath(key), name=name)

        try:
            with self._at(path, segments) as loc:
                yield from cast(
                    "Iterator[FileInfo | FolderEntry]",
                    _fs.walk_files(
                        self._root_text,
                        loc,
                        prefix,
                        recursive=recursive,
                        max_depth=max_depth,
                        on_file=on_file,
                        on_folder=on_folder if folders else None,
                    ),
                )
        except NotFound:
            return  # a missing folder (or root) lists nothing

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        self._segments(path)  # bad input fails at the call, not at the first next()
        return cast(
            "Iterator[FileInfo]",
            self._listing(path, recursive=recursive, max_depth=max_depth, folders=False),
        )

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        self._segments(path)
        return cast(
            "Iterator[FolderEntry]",
            self._listing(path, recursive=False, max_depth=None, folders=True, files=False),
        )

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        self._segments(path)
        return self._listing(path, recursive=False, max_depth=None, folders=True)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files matching ``pattern``; a literal prefix that leads outside the root matches nothing.

        A listing never fails because one entry is out of bounds (§8.9): ``symdir/*.txt``
        through a symlink to elsewhere is skipped exactly as ``**/*.txt`` skips it.
        """
        segments = self._segments(translate_glob(pattern).prefix)
        try:
            with _fs.at(self._root_text, segments):
                pass
        except _fs.Escape:
            return iter(())
        except OSError:
            pass  # absent or unreadable: the listing decides
        return glob_via_listing(self, pattern)

    # -- maintenance ----------------------------------------------------------
    def remove_stale_temp_files(self, path: str = "", *, older_than: float = 86400.0) -> list[str]:
        """Delete temp files left below ``path`` by a killed writer; returns their keys.

        A process killed inside ``open_atomic``, ``write_atomic`` or ``copy`` leaves a
        ``.~tmp.<name>.<hex8>`` file next to the target (the convention of
        ``_backend_rules``). Listings never show them; this removes those not modified for
        ``older_than`` seconds (``>= 0``). A live writer whose temp file is removed fails its
        commit (``NotFound``), it never reports success, so the only cost of too small an
        ``older_than`` is a failed write. Links are not followed.
        """
        if not isinstance(older_than, int | float) or not older_than >= 0:
            raise ValueError(f"older_than must be a number >= 0, got {older_than!r}")
        segments = self._segments(path)
        cutoff = time.time() - older_than

        def remove(fd: int, entry: os.DirEntry[str], key: str, _: list[str]) -> str | None:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff:
                return None
            try:
                os.unlink(entry.name, dir_fd=fd)
            except FileNotFoundError:
                return None
            return key

        removed: list[str] = []
        with self._at(path, segments) as loc:
            for key in _fs.walk_files(
                self._root_text,
                loc,
                "/".join(segments),
                recursive=True,
                max_depth=None,
                on_file=remove,
                temp_files=True,
            ):
                removed.append(cast(str, key))
        return removed

    # -- metadata -------------------------------------------------------------
    def get_file_info(self, path: str) -> FileInfo:
        segments = self._file_segments(path)
        with self._at(path, segments) as loc:
            st = loc.lstat()
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
        segments, st = self._probe(path)
        if segments:
            self._check_folder(path, st)
        return summarise_files(
            RemotePath.from_backend_path("/".join(segments)),
            cast(
                "Iterator[FileInfo]",
                self._listing(path, recursive=True, max_depth=None, folders=False),
            ),
        )

    # -- move / copy ----------------------------------------------------------
    @contextmanager
    def _transfer(
        self, src: str, dst: str, overwrite: bool, *, follow_source: bool
    ) -> Iterator[tuple[Location, Location] | None]:
        """R-MOVE order; yields ``None`` for "same path, nothing to do"."""
        with self._at(src, self._file_segments(src), follow_last=follow_source) as source:
            st = source.lstat()
            if st is None:
                raise NotFound(
                    "Source does not exist (Source not found)", path=src, backend=self.name
                )
            if stat.S_ISDIR(st.st_mode):
                raise InvalidPath(
                    "Source is a folder, not a file (Source is a directory)",
                    path=src,
                    backend=self.name,
                )
            dst_segments = self._file_segments(dst)
            with self._at(dst, dst_segments, follow_last=False, create=True) as target:
                if source.segments == target.segments:
                    yield None
                    return
                self._check_destination(dst, target, overwrite)
                yield source, target

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """``rename`` within a filesystem (atomic); a symlink source is moved itself."""
        with self._transfer(src, dst, overwrite, follow_source=False) as prepared:
            if prepared is None:
                return
            source, target = prepared
            try:
                os.replace(
                    source.leaf, target.leaf, src_dir_fd=source.parent, dst_dir_fd=target.parent
                )
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                self._copy_file(
                    src, dst, source, target, overwrite
                )  # another filesystem: not atomic
                source.unlink()

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy through a temp file in the destination folder, then rename into place.

        The copy is a new file: its modification time is "now" (IO-20), as on
        the other backends; permission bits are copied.
        """
        with self._transfer(src, dst, overwrite, follow_source=True) as prepared:
            if prepared is not None:
                source, target = prepared
                self._copy_file(src, dst, source, target, overwrite)

    def _copy_file(
        self, src: str, dst: str, source: Location, target: Location, overwrite: bool
    ) -> None:
        temp: str | None = None
        try:
            with os.fdopen(self._open_file(src, source), "rb") as reader:
                temp, fd = self._temp_in(target)
                with os.fdopen(fd, "wb") as writer:
                    shutil.copyfileobj(reader, writer, _CHUNK)
                    os.fchmod(writer.fileno(), stat.S_IMODE(os.fstat(reader.fileno()).st_mode))
            self._promote(dst, temp, target, overwrite)
        except BaseException:
            if temp is not None:
                with suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=target.parent)
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
