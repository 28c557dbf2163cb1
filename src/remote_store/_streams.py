"""Pieces shared by the file objects backends hand out."""

from __future__ import annotations

import io

from ._errors import RemoteStoreError

__all__ = ["CallerStream", "check_content", "guard_content", "seek_target", "stream_failure"]


def seek_target(offset: int, whence: int, *, position: int, size: int) -> int:
    """The absolute position ``seek(offset, whence)`` asks for, ``io`` semantics.

    ``position`` is the stream's current position and ``size`` its length (``SEEK_END`` is
    relative to it). Positions past the end are allowed, as for regular files: reading there
    returns nothing. Raises ``ValueError`` for an unknown ``whence`` or a negative result.
    """
    if whence == io.SEEK_SET:
        target = offset
    elif whence == io.SEEK_CUR:
        target = position + offset
    elif whence == io.SEEK_END:
        target = size + offset
    else:
        raise ValueError(f"invalid whence: {whence!r}")
    if target < 0:
        raise ValueError(f"negative seek position {target}")
    return target


_CONTENT_TYPES = (bytes, bytearray, memoryview)


def check_content(content: object, argument: str = "content") -> None:
    """``TypeError`` naming ``argument`` unless it is bytes-like or a readable binary stream.

    Called first by every write, before any side effect: a ``str`` (or a text
    stream) would otherwise fail deep inside a backend, differently on each.
    """
    if isinstance(content, _CONTENT_TYPES):
        return
    if isinstance(content, str | io.TextIOBase):
        raise TypeError(
            f"{argument} must be bytes or a binary stream, got {type(content).__name__} "
            "(encode text, or use write_text)"
        )
    if not callable(getattr(content, "read", None)):
        raise TypeError(
            f"{argument} must be bytes or a readable binary stream, got {type(content).__name__}"
        )


_READ_METHODS = frozenset({"read", "read1", "readinto", "readinto1", "readline", "readlines"})


class CallerStream:
    """The caller's content stream, with its read failures turned into ``RemoteStoreError``.

    R-WRITE-STREAM: when the stream a caller passes to ``write`` raises while being read (a
    socket resets mid-upload), every backend reports the same thing, a ``RemoteStoreError``
    with the original as ``__cause__``, and cleans up as for any failed write. Only the read
    methods are guarded: ``seek``, ``tell``, ``seekable`` and ``fileno`` are probes whose
    ``OSError`` backends interpret themselves. Everything else is forwarded unchanged, so
    ``hasattr`` answers exactly as for the wrapped stream.
    """

    def __init__(self, stream: object, *, path: str, backend: str) -> None:
        self._stream = stream
        self._path = path
        self._backend = backend

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._stream, name)
        if name not in _READ_METHODS or not callable(attribute):
            return attribute
        method = attribute

        def guarded(*args: object, **kwargs: object) -> object:
            try:
                return method(*args, **kwargs)
            except RemoteStoreError:
                raise
            except Exception as exc:
                raise stream_failure(exc, path=self._path, backend=self._backend) from exc

        return guarded


def stream_failure(exc: BaseException, *, path: str, backend: str) -> RemoteStoreError:
    """The one error for a caller's content stream that raised while being read (R-WRITE-STREAM).

    The caller raises it ``from exc``; a ``RemoteStoreError`` from the stream is returned as is.
    """
    if isinstance(exc, RemoteStoreError):
        return exc
    return RemoteStoreError(
        f"Reading the content stream failed: {type(exc).__name__}: {exc}",
        path=path,
        backend=backend,
    )


def guard_content(content: object, *, path: str, backend: str) -> object:
    """``content`` itself if bytes-like, else the stream wrapped in a ``CallerStream``."""
    if isinstance(content, _CONTENT_TYPES):
        return content
    return CallerStream(content, path=path, backend=backend)
