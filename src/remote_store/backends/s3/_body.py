"""A request body over bytes we already hold, read by botocore and aiohttp without copies.

Every byte of an upload body is read three times on its way out: botocore hashes it for the
SigV4 payload signature (plain HTTP signs the payload), hashes it again for the CRC32 checksum,
and aiohttp reads it in 64 KiB steps to send it. With a ``bytes`` or ``io.BytesIO`` body each of
those reads returns a fresh ``bytes`` copy (and botocore wraps a ``bytes`` body into a
``BytesIO``, aiohttp then takes ``getbuffer()`` of it, which un-shares and copies the whole body).
``ViewBody`` is an ``io.BytesIO`` (so botocore and aiohttp take their in-memory paths: no
executor hop per chunk, a known length) whose ``read`` returns ``memoryview`` slices of the bytes
it was given: ``hashlib``, ``zlib.crc32`` and the socket all take a ``memoryview``, so the only
copy left is the event loop's own send buffer. The profile that motivated it, and the figures, are
in ``benchmarks/README.md`` ("Upload path").

The body is read-only and never owns its bytes: the caller keeps them unchanged until the request
has finished (the upload code waits for every request that reads a buffer before reusing it).
"""

from __future__ import annotations

import io
import os
from typing import Any

__all__ = ["ViewBody"]


class ViewBody(io.BytesIO):
    """A seekable, read-only ``BytesIO`` look-alike over ``view`` (no copy of the bytes)."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
        self._pos = 0

    @property
    def size(self) -> int:
        return self._view.nbytes

    def read(self, size: int | None = -1) -> memoryview:  # type: ignore[override]
        start, total = self._pos, self._view.nbytes
        end = total if size is None or size < 0 else min(start + size, total)
        end = max(end, start)
        self._pos = end
        return self._view[start:end]

    read1 = read  # type: ignore[assignment]

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(memoryview(buffer).nbytes)
        count = chunk.nbytes
        memoryview(buffer).cast("B")[:count] = chunk
        return count

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            position = offset
        elif whence == os.SEEK_CUR:
            position = self._pos + offset
        elif whence == os.SEEK_END:
            position = self._view.nbytes + offset
        else:
            raise ValueError(f"invalid whence ({whence!r})")
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def tell(self) -> int:
        return self._pos

    def getbuffer(self) -> memoryview:
        """A new view of the same bytes (a caller releasing it does not release ours)."""
        return self._view[:]

    def getvalue(self) -> bytes:
        return self._view.tobytes()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def write(self, data: Any) -> int:
        raise io.UnsupportedOperation("request bodies are read-only")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("request bodies are read-only")
