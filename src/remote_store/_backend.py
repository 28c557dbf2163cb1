"""The ``Backend`` adapter contract every storage implementation fulfils.

Backends receive *backend keys* (paths relative to the backend root, already
normalised by the Store when they come through one) and return backend keys;
the Store joins its root on the way in and strips it on the way out. Backends
do not gate capabilities (the Store does, before any I/O) but they do enforce
the conformance rules of the contract (root handling, write order, error
mapping), because they can also be used directly.
"""

from __future__ import annotations

import abc
import functools
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import BinaryIO, ClassVar, Literal, Protocol, TypeVar

from ._backend_rules import check_max_depth, root_target_error
from ._capabilities import CapabilitySet
from ._errors import CapabilityNotSupported, InvalidPath
from ._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from ._path import backend_segments, strip_root
from ._streams import check_content, guard_content

__all__ = [
    "COPY_CHUNK",
    "SPOOL_THRESHOLD",
    "AtomicSink",
    "AtomicWriter",
    "Backend",
    "Content",
    "Metadata",
]

T = TypeVar("T")

Metadata = Mapping[str, str] | None
"""The ``metadata=`` argument of every write: user metadata, or ``None`` for none."""

Content = bytes | BinaryIO
"""What a write accepts: whole bytes, or a readable binary stream read from its position to EOF."""

SPOOL_THRESHOLD = 8 * 1024 * 1024
"""In-memory size above which the default ``read_seekable`` spools to disk."""

COPY_CHUNK = 1024 * 1024
"""Bytes the default ``write_atomic`` reads from a content stream at a time."""


class AtomicSink(Protocol):
    """Where an ``AtomicWriter`` puts bytes: a temp file, a multipart uploader, a buffer."""

    def write(self, data: memoryview, /) -> object: ...

    def flush(self) -> object: ...


class AtomicWriter(io.BufferedIOBase):
    """The writable stream ``open_atomic`` yields.

    Bytes go to ``sink`` (a temp file, a multipart uploader, a buffer); the
    backend commits when the ``with`` block exits cleanly and then sets
    ``result``. Wrapping every backend's sink in this one type gives callers
    the same surface everywhere (``write``, ``tell``, ``result``).
    """

    def __init__(self, sink: AtomicSink) -> None:
        super().__init__()
        self._sink = sink
        self._written = 0
        self.result: WriteResult | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("write to a closed atomic writer")
        view = memoryview(data).cast("B")
        self._sink.write(view)
        self._written += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        # The backend may already have closed the sink (committed or discarded).
        if not self.closed and not getattr(self._sink, "closed", False):
            self._sink.flush()

    @property
    def bytes_written(self) -> int:
        return self._written


def _checking_max_depth(
    list_files: Callable[..., Iterator[FileInfo]],
) -> Callable[..., Iterator[FileInfo]]:
    """``list_files`` that validates ``max_depth`` eagerly (even when it is a generator)."""

    @functools.wraps(list_files)
    def checked(
        self: Backend, path: str, *args: object, max_depth: int | None = None, **kwargs: object
    ) -> Iterator[FileInfo]:
        check_max_depth(max_depth)
        return list_files(self, path, *args, max_depth=max_depth, **kwargs)

    checked._checks_max_depth = True  # type: ignore[attr-defined]
    return checked


class Backend(abc.ABC):
    """Base class of storage backends. See the module docstring for the key conventions.

    Class attributes:
        CAPABILITIES: what the backend can do (non-empty).
        close_is_terminal: whether ``close()`` ends the backend's life (S3) or
            only releases connections that are re-created on demand.
        concurrency: ``"thread_safe"`` or ``"single_connection"``.
    """

    CAPABILITIES: ClassVar[CapabilitySet]
    close_is_terminal: ClassVar[bool] = False
    concurrency: ClassVar[Literal["thread_safe", "single_connection"]] = "thread_safe"

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Put the shared ``max_depth`` rule in front of a subclass's own ``list_files``.

        A wrapper rather than a template method, so backends written to 0.33's
        ``Backend`` (which override ``list_files`` itself) get the rule too.
        """
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("list_files")
        if own is not None and not getattr(own, "_checks_max_depth", False):
            setattr(cls, "list_files", _checking_max_depth(own))  # noqa: B010

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Short backend type name; appears as ``backend=`` in every error."""

    @property
    def capabilities(self) -> CapabilitySet:
        return self.CAPABILITIES

    # -- shared rules (backends call these; they do not re-implement them) ----
    def _segments(self, path: str) -> list[str]:
        """The key's segments (``[]`` is the root); NUL, ``..`` and non-strings are refused.

        Backends with more to refuse (an encoding, a leading ``/``) extend this.
        """
        if not isinstance(path, str):
            raise InvalidPath(
                f"Path must be a string, got {type(path).__name__}", backend=self.name
            )
        return backend_segments(path, self.name)

    def _file_segments(self, path: str) -> list[str]:
        """``_segments`` of a file target (or a folder to delete): the root is ``InvalidPath``."""
        segments = self._segments(path)
        if not segments:
            raise root_target_error(path, self.name)
        return segments

    @contextmanager
    def _atomic_session(
        self,
        sink: AtomicSink,
        *,
        commit: Callable[[int], WriteResult],
        discard: Callable[[], None],
    ) -> Iterator[AtomicWriter]:
        """The one lifecycle behind every ``open_atomic``.

        Yields an ``AtomicWriter`` over ``sink``. On a clean exit ``commit`` gets
        the byte count and returns the ``WriteResult`` stored on ``writer.result``;
        if the block raises, or the commit does, ``discard`` runs (it must
        tolerate a half-done commit) and the error propagates. The writer is
        closed either way.
        """
        writer = AtomicWriter(sink)
        try:
            yield writer
            writer.result = commit(writer.bytes_written)
        except BaseException:
            discard()
            raise
        finally:
            writer.close()

    # -- probes ---------------------------------------------------------------
    @abc.abstractmethod
    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path`` (the root always exists).

        R-PROBE: returns a bool, never ``NotFound``; missing, under a file and an
        absent container are ``False``. Denied or unreachable may propagate.
        """

    @abc.abstractmethod
    def is_file(self, path: str) -> bool:
        """Whether a file is at ``path`` (R-PROBE; the root is ``False``)."""

    @abc.abstractmethod
    def is_folder(self, path: str) -> bool:
        """Whether a folder is at ``path`` (R-PROBE; the root is ``True``)."""

    # -- reads ----------------------------------------------------------------
    @abc.abstractmethod
    def read(self, path: str) -> BinaryIO:
        """A binary stream of the file at ``path``, positioned at 0; the caller closes it.

        R-READ: missing (or under a file) is ``NotFound``, a folder ``InvalidPath``,
        the root ``InvalidPath``; no stream is returned on error. Failures while the
        caller reads are ``RemoteStoreError`` subclasses (§8.4).
        """

    @abc.abstractmethod
    def read_bytes(self, path: str) -> bytes:
        """The whole file at ``path``; errors as ``read`` (R-READ)."""

    def read_seekable(self, path: str) -> BinaryIO:
        """``read()`` if already seekable, else a spooled copy positioned at 0."""
        stream = self.read(path)
        try:
            seekable = stream.seekable()
        except BaseException:
            stream.close()  # the caller never receives it, so nobody else would close it
            raise
        if seekable:
            return stream
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_THRESHOLD)  # noqa: SIM115
        try:
            with stream:
                shutil.copyfileobj(stream, spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool  # type: ignore[return-value]

    # -- writes ---------------------------------------------------------------
    @abc.abstractmethod
    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """Write ``content`` at ``path``, creating missing parent folders (R-WRITE-DIRS).

        Not necessarily atomic. Checks in R-WRITE-ORDER: the root, a folder at the
        target or a file ancestor (``InvalidPath``), then ``overwrite=False`` over an
        existing file (``AlreadyExists``), all before any byte is sent. A stream
        that raises while read is ``RemoteStoreError`` with the cause
        (R-WRITE-STREAM). Metadata on a backend without ``USER_METADATA`` is
        ``CapabilityNotSupported``. Returns the ``WriteResult`` of R-WRITE-RESULT.
        """

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """Write so that no reader ever sees partial content (§8.5); same checks as ``write``.

        The default streams ``content`` through ``open_atomic`` (a failing caller
        stream is ``RemoteStoreError``, R-WRITE-STREAM); backends whose plain write
        is already atomic (one request, a swap under a lock) override it with ``write``.
        """
        check_content(content)
        with self.open_atomic(path, overwrite=overwrite, metadata=metadata) as writer:
            if isinstance(content, bytes | bytearray | memoryview):
                writer.write(content)
            else:
                source: BinaryIO = guard_content(content, path=path, backend=self.name)  # type: ignore[assignment]
                while chunk := source.read(COPY_CHUNK):
                    writer.write(chunk)
        assert writer.result is not None
        return writer.result

    @abc.abstractmethod
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> AbstractContextManager[AtomicWriter]:
        """Yield an ``AtomicWriter``; commit on clean exit (then set ``result``), discard on error.

        ``AlreadyExists`` is raised on ``__enter__`` when ``overwrite=False``
        and the target exists; backends that can decide at commit time without
        a race do so again there (the commit check is authoritative).
        """

    # -- deletes --------------------------------------------------------------
    @abc.abstractmethod
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        """Delete the file at ``path``.

        R-DELETE: a folder is ``InvalidPath`` even with ``missing_ok``; absence is
        ``NotFound`` unless ``missing_ok``; the root is ``InvalidPath``.
        """

    @abc.abstractmethod
    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        """Delete the folder at ``path`` (its whole subtree with ``recursive``).

        R-DELETE: a file is ``InvalidPath``; absence is ``NotFound`` unless
        ``missing_ok``; a non-empty folder without ``recursive`` is
        ``DirectoryNotEmpty``; the root is ``InvalidPath``.
        """

    # -- listings -------------------------------------------------------------
    @abc.abstractmethod
    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        """Files in ``path`` (below it with ``recursive``, at most ``max_depth`` levels down).

        ``max_depth < 0`` is refused with ``ValueError`` on the call itself, before
        any I/O: the base wraps every subclass's ``list_files`` in that check (see
        ``__init_subclass__``), so implementations never see a negative depth.
        """

    @abc.abstractmethod
    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        """Immediate subfolders of ``path``; a missing path or a file yields nothing (R-LIST)."""

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """Immediate files and folders; backends with a one-request listing override this."""
        yield from self.list_files(path)
        yield from self.list_folders(path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        """Files whose key matches ``pattern`` (§8.9); no ``GLOB``: ``CapabilityNotSupported``."""
        raise CapabilityNotSupported(
            "Native glob is not supported", backend=self.name, capability="glob"
        )

    # -- metadata -------------------------------------------------------------
    @abc.abstractmethod
    def get_file_info(self, path: str) -> FileInfo:
        """``FileInfo`` of the file at ``path``: ``NotFound``, or ``InvalidPath`` for a folder or
        the root (R-INFO)."""

    @abc.abstractmethod
    def get_folder_info(self, path: str) -> FolderInfo:
        """Aggregate of every file below ``path`` (R-INFO; the root aggregates, R-ABSENT).

        ``NotFound`` for a missing folder, ``InvalidPath`` for a file. Count, total
        size and the latest known ``modified_at`` (``None`` if no file has one);
        build it with ``_backend_rules.summarise_files``.
        """

    # -- move / copy ----------------------------------------------------------
    @abc.abstractmethod
    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Move the file ``src`` to ``dst``; atomic only with ``ATOMIC_MOVE``.

        R-MOVE: root checks, ``NotFound(src)``, a folder source ``InvalidPath``,
        then the destination checks of R-WRITE-ORDER; the same key is a no-op for
        a file. User metadata is preserved; a failure between the steps of a
        non-atomic move is raised, never swallowed.
        """

    @abc.abstractmethod
    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Copy the file ``src`` to ``dst``: the order and errors of R-MOVE; the copy is a new
        file (its ``modified_at`` is now, IO-20)."""

    # -- addressing and lifecycle ---------------------------------------------
    def to_key(self, native_path: str) -> str:
        """The key of a native path; one outside the backend comes back unchanged (R-ADDR)."""
        return native_path

    def native_path(self, key: str) -> str:
        """The native spelling of ``key``: pure, never raises, ``to_key`` inverts it (R-ADDR)."""
        return strip_root(key)

    def check_health(self) -> None:
        """Cheapest read-only round trip proving the backend is usable (R-HEALTH).

        Raises the mapped error (``NotFound``, ``PermissionDenied``,
        ``BackendUnavailable``) when it is not.
        """

    def close(self) -> None:
        """Release connections. Idempotent (R-CLOSE).

        With ``close_is_terminal`` every later call but ``native_path``/``to_key``
        raises ``BackendUnavailable``; otherwise connections are re-made on demand.
        """

    def unwrap(self, type_hint: type[T]) -> T:
        """The native client if it is a ``type_hint``, else ``CapabilityNotSupported``."""
        raise CapabilityNotSupported(
            f"{self.name} backend cannot be unwrapped to {type_hint!r}",
            backend=self.name,
            capability="unwrap",
        )
