"""Conformance plug-in ``custom-033``: a custom backend written to remote-store 0.33's ``Backend``.

Code written for 0.33 must run unchanged, and that includes third-party backends. This one is
written exactly to 0.33's documented base class: ``name`` and ``capabilities`` are properties,
``open_atomic(self, path, *, overwrite=False)`` has no ``metadata`` keyword and yields a plain
``io.BytesIO`` with no result object. Storage is delegated to a ``MemoryBackend`` (the backend
under test is the 0.33-shaped surface, not a new tree) whose errors are re-labelled with this
backend's name, so the whole suite must pass here exactly as on ``memory``; any Store feature that
assumes our additions fails it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, BinaryIO, TypeVar

import pytest

from remote_store import (
    AlreadyExists,
    Backend,
    CapabilitySet,
    FileInfo,
    FolderEntry,
    FolderInfo,
    InvalidPath,
    RemoteStoreError,
    Store,
    WriteResult,
)
from remote_store.backends import MemoryBackend

BACKEND_IDS = ("custom-033",)
T = TypeVar("T")

NOTE = "a Backend subclass written to 0.33's signatures (open_atomic yields a BytesIO)"


class Custom033Backend(Backend):
    """Only the methods 0.33's ``Backend`` declares abstract, with 0.33's signatures."""

    def __init__(self) -> None:
        self._tree = MemoryBackend()

    def _own(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the delegate; its errors become this backend's."""
        try:
            return method(*args, **kwargs)
        except RemoteStoreError as error:
            error.backend = self.name
            raise

    def _own_iter(
        self, method: Callable[..., Iterator[T]], *args: Any, **kwargs: Any
    ) -> Iterator[T]:
        iterator = self._own(method, *args, **kwargs)
        while True:
            try:
                item = self._own(next, iterator)
            except StopIteration:
                return
            yield item

    @property
    def name(self) -> str:
        return "custom-033"

    @property
    def capabilities(self) -> CapabilitySet:
        return self._tree.capabilities

    def exists(self, path: str) -> bool:
        return self._own(self._tree.exists, path)

    def is_file(self, path: str) -> bool:
        return self._own(self._tree.is_file, path)

    def is_folder(self, path: str) -> bool:
        return self._own(self._tree.is_folder, path)

    def read(self, path: str) -> BinaryIO:
        return self._own(self._tree.read, path)

    def read_bytes(self, path: str) -> bytes:
        return self._own(self._tree.read_bytes, path)

    def write(
        self,
        path: str,
        content: bytes | BinaryIO,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self._own(self._tree.write, path, content, overwrite=overwrite, metadata=metadata)

    def write_atomic(
        self,
        path: str,
        content: bytes | BinaryIO,
        *,
        overwrite: bool = False,
        metadata: Mapping[str, str] | None = None,
    ) -> WriteResult:
        return self._own(
            self._tree.write_atomic, path, content, overwrite=overwrite, metadata=metadata
        )

    @contextmanager  # type: ignore[override]
    def open_atomic(self, path: str, *, overwrite: bool = False) -> Iterator[BinaryIO]:
        if self._tree.is_folder(path):
            raise InvalidPath("Path is a folder", path=path, backend=self.name)
        if not overwrite and self._tree.is_file(path):
            raise AlreadyExists("File already exists", path=path, backend=self.name)
        buffer = io.BytesIO()
        yield buffer
        self._own(self._tree.write, path, buffer.getvalue(), overwrite=overwrite)

    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        self._own(self._tree.delete, path, missing_ok=missing_ok)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        self._own(self._tree.delete_folder, path, recursive=recursive, missing_ok=missing_ok)

    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        return self._own_iter(self._tree.list_files, path, recursive=recursive, max_depth=max_depth)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        return self._own_iter(self._tree.list_folders, path)

    def get_file_info(self, path: str) -> FileInfo:
        return self._own(self._tree.get_file_info, path)

    def get_folder_info(self, path: str) -> FolderInfo:
        return self._own(self._tree.get_folder_info, path)

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._own(self._tree.move, src, dst, overwrite=overwrite)

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        self._own(self._tree.copy, src, dst, overwrite=overwrite)


def make_store(request: pytest.FixtureRequest, backend_id: str) -> Iterator[Store]:
    with Store(Custom033Backend()) as store:
        yield store
