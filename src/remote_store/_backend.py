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
import io
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import BinaryIO, ClassVar, Literal, TypeVar

from ._capabilities import CapabilitySet
from ._errors import CapabilityNotSupported
from ._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from ._path import strip_root

__all__ = ["SPOOL_THRESHOLD", "AtomicWriter", "Backend", "Content"]

T = TypeVar("T")

Content = bytes | BinaryIO
"""What a write accepts: whole bytes, or a readable binary stream read from its position to EOF."""

SPOOL_THRESHOLD = 8 * 1024 * 1024
"""In-memory size above which the default ``read_seekable`` spools to disk."""


class AtomicWriter(io.BufferedIOBase):
    """The writable stream ``open_atomic`` yields.

    Bytes go to ``sink`` (a temp file, a multipart uploader, a buffer); the
    backend commits when the ``with`` block exits cleanly and then sets
    ``result``. Wrapping every backend's sink in this one type gives callers
    the same surface everywhere (``write``, ``tell``, ``result``).
    """

    def __init__(self, sink: BinaryIO | io.BufferedIOBase | io.RawIOBase) -> None:
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

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Short backend type name; appears as ``backend=`` in every error."""

    @property
    def capabilities(self) -> CapabilitySet:
        return self.CAPABILITIES

    # -- probes ---------------------------------------------------------------
    @abc.abstractmethod
    def exists(self, path: str) -> bool: ...

    @abc.abstractmethod
    def is_file(self, path: str) -> bool: ...

    @abc.abstractmethod
    def is_folder(self, path: str) -> bool: ...

    # -- reads ----------------------------------------------------------------
    @abc.abstractmethod
    def read(self, path: str) -> BinaryIO: ...

    @abc.abstractmethod
    def read_bytes(self, path: str) -> bytes: ...

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
        self,
        path: str,
        content: Content,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult: ...

    @abc.abstractmethod
    def write_atomic(
        self,
        path: str,
        content: Content,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult: ...

    @abc.abstractmethod
    def open_atomic(
        self,
        path: str,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> AbstractContextManager[AtomicWriter]:
        """Yield an ``AtomicWriter``; commit on clean exit (then set ``result``), discard on error.

        ``AlreadyExists`` is raised on ``__enter__`` when ``overwrite=False``
        and the target exists; backends that can decide at commit time without
        a race do so again there (the commit check is authoritative).
        """

    # -- deletes --------------------------------------------------------------
    @abc.abstractmethod
    def delete(self, path: str, *, missing_ok: bool = False) -> None: ...

    @abc.abstractmethod
    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None: ...

    # -- listings -------------------------------------------------------------
    @abc.abstractmethod
    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]: ...

    @abc.abstractmethod
    def list_folders(self, path: str) -> Iterator[FolderEntry]: ...

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        """Immediate files and folders; backends with a one-request listing override this."""
        yield from self.list_files(path)
        yield from self.list_folders(path)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        raise CapabilityNotSupported(
            "Native glob is not supported", backend=self.name, capability="glob"
        )

    # -- metadata -------------------------------------------------------------
    @abc.abstractmethod
    def get_file_info(self, path: str) -> FileInfo: ...

    @abc.abstractmethod
    def get_folder_info(self, path: str) -> FolderInfo: ...

    # -- move / copy ----------------------------------------------------------
    @abc.abstractmethod
    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None: ...

    @abc.abstractmethod
    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None: ...

    # -- addressing and lifecycle ---------------------------------------------
    def to_key(self, native_path: str) -> str:
        return native_path

    def native_path(self, key: str) -> str:
        return strip_root(key)

    def check_health(self) -> None:
        """Cheapest read-only round trip proving the backend is usable."""

    def close(self) -> None:
        """Release connections. Idempotent."""

    def unwrap(self, type_hint: type[T]) -> T:
        raise CapabilityNotSupported(
            f"{self.name} backend cannot be unwrapped to {type_hint!r}",
            backend=self.name,
            capability="unwrap",
        )
