"""How a ``Store`` drives a backend's ``open_atomic``, whichever generation the backend is.

Our ``Backend.open_atomic`` takes ``metadata=`` and yields an ``AtomicWriter`` whose ``result``
is set on commit (IO-24). Both are additions: a backend written for remote-store 0.33 declares
``open_atomic(self, path, *, overwrite=False)`` and may yield any writable stream (a plain
``BytesIO``) without a result. The Store must work with both (``docs/contract.md`` §8.2), so
this module is the one place that adapts:

* the ``metadata`` keyword is passed only to a backend whose ``open_atomic`` accepts it;
  non-empty metadata for one that does not is spooled and committed through the backend's
  ``write_atomic``, which has always taken ``metadata``;
* a yielded stream that is not an ``AtomicWriter`` is wrapped in one, so callers always get
  ``write``, ``tell`` and ``result``;
* when the backend provides no result, the Store records a ``source="basic"`` result with the
  bytes that went through the writer (the only fields it knows).
"""

from __future__ import annotations

import contextlib
import inspect
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from ._backend import SPOOL_THRESHOLD, AtomicWriter, Backend
from ._backend_rules import exists_error
from ._errors import InvalidPath
from ._models import WriteResult
from ._path import RemotePath

__all__ = ["open_backend_atomic"]


def _accepts_keyword(function: Callable[..., Any], name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume the current API
        return True
    return any(
        p.kind is p.VAR_KEYWORD
        or (p.name == name and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        for p in parameters
    )


@contextlib.contextmanager
def _spooled_atomic(
    backend: Backend, key: str, overwrite: bool, metadata: dict[str, str]
) -> Iterator[AtomicWriter]:
    """Metadata for a backend whose ``open_atomic`` cannot take it: spool, then ``write_atomic``."""
    if backend.is_folder(key):
        raise InvalidPath(
            "Path is a folder, not a file (Not a file)", path=key, backend=backend.name
        )
    if not overwrite and backend.is_file(key):
        raise exists_error(key, backend.name)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_THRESHOLD) as spool:
        writer = AtomicWriter(spool)
        yield writer
        spool.seek(0)
        writer.result = backend.write_atomic(key, spool, overwrite=overwrite, metadata=metadata)  # type: ignore[arg-type]


@contextlib.contextmanager
def open_backend_atomic(
    backend: Backend, key: str, *, overwrite: bool, metadata: dict[str, str] | None
) -> Iterator[AtomicWriter]:
    """Enter ``backend.open_atomic`` for *key*; after a clean exit the writer has a ``result``."""
    if not _accepts_keyword(backend.open_atomic, "metadata"):
        if metadata:
            with _spooled_atomic(backend, key, overwrite, metadata) as writer:
                yield writer
            return
        manager = backend.open_atomic(key, overwrite=overwrite)
    else:
        manager = backend.open_atomic(key, overwrite=overwrite, metadata=metadata)
    with manager as raw:
        writer = raw if isinstance(raw, AtomicWriter) else AtomicWriter(raw)
        yield writer
    result = getattr(raw, "result", None)
    if not isinstance(result, WriteResult):
        result = WriteResult(path=RemotePath(key), size=writer.bytes_written)
    writer.result = result
