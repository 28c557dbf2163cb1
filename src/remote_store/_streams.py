"""Pieces shared by the file objects backends hand out."""

from __future__ import annotations

import io

__all__ = ["check_content", "seek_target"]


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
