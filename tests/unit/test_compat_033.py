"""Code written for remote-store 0.33 runs unchanged (issue 16): custom backends, errors, models.

The conformance id ``custom-033`` runs the whole suite on a backend written to 0.33's base class;
these tests pin the individual adaptations and compatibility points through the public API.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import pytest

from remote_store import AlreadyExists, RemotePath, Store, WriteResult
from remote_store.backends import MemoryBackend


class OpenAtomicWithoutMetadata(MemoryBackend):
    """0.33's documented ``open_atomic(self, path, *, overwrite=False)``, yielding a ``BytesIO``."""

    @contextmanager  # type: ignore[override]
    def open_atomic(self, path: str, *, overwrite: bool = False) -> Iterator[BinaryIO]:
        if not overwrite and self.is_file(path):
            raise AlreadyExists("exists", path=path, backend=self.name)
        buffer = io.BytesIO()
        yield buffer
        self.write(path, buffer.getvalue(), overwrite=overwrite)


class OpenAtomicWithKwargs(MemoryBackend):
    """Accepts any keyword but yields a plain ``BytesIO`` and returns no result object."""

    @contextmanager  # type: ignore[override]
    def open_atomic(self, path: str, **kwargs: Any) -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        self.write(path, buffer.getvalue(), overwrite=kwargs.get("overwrite", False))


@pytest.mark.parametrize("backend_type", [OpenAtomicWithoutMetadata, OpenAtomicWithKwargs])
def test_open_atomic_commits_on_a_backend_written_for_033(
    backend_type: type[MemoryBackend],
) -> None:
    store = Store(backend_type(), "root")

    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"hello")

    assert store.read_bytes("d/f.txt") == b"hello"


@pytest.mark.parametrize("backend_type", [OpenAtomicWithoutMetadata, OpenAtomicWithKwargs])
def test_open_atomic_on_a_033_backend_records_a_basic_result(
    backend_type: type[MemoryBackend],
) -> None:
    store = Store(backend_type(), "root")

    with store.open_atomic("d/f.txt") as stream:
        stream.write(b"hello")
        assert stream.tell() == 5

    assert stream.result == WriteResult(path=RemotePath("d/f.txt"), size=5, source="basic")


def test_open_atomic_metadata_reaches_a_backend_whose_open_atomic_cannot_take_it() -> None:
    store = Store(OpenAtomicWithoutMetadata())

    with store.open_atomic("f.txt", metadata={"Owner": "ops"}) as stream:
        stream.write(b"x")

    assert store.get_file_info("f.txt").metadata == {"owner": "ops"}
    assert stream.result is not None and stream.result.metadata == {"owner": "ops"}


def test_open_atomic_metadata_on_a_033_backend_still_refuses_an_existing_file_on_enter() -> None:
    store = Store(OpenAtomicWithoutMetadata())
    store.write("f.txt", b"old")

    with pytest.raises(AlreadyExists), store.open_atomic("f.txt", metadata={"k": "v"}):
        pytest.fail("the body must not run")

    assert store.read_bytes("f.txt") == b"old"


def test_an_exception_inside_open_atomic_on_a_033_backend_commits_nothing() -> None:
    store = Store(OpenAtomicWithoutMetadata())

    with pytest.raises(RuntimeError), store.open_atomic("f.txt") as stream:
        stream.write(b"partial")
        raise RuntimeError("caller failed")

    assert not store.exists("f.txt")
