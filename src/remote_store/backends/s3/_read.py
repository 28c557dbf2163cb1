"""Lazy, seekable reads over HTTP range requests.

``read()`` costs one ``GetObject`` whose body is then streamed as the caller
reads, so a sequential read of any size is a single request. A ``seek`` only
moves the position; the next read after a jump reopens the body with
``Range: bytes=<pos>-`` and ``If-Match: <etag>``, so bytes from two different
versions of an object are never spliced together. Every failure while the
caller consumes the stream is mapped onto the ``remote_store`` error tree.

Integrity: the first body (a whole-object ``GetObject``) is checked against the object's
stored full-object checksum when it has one (``_integrity.BodyCheck``): a caller that reads
the object from start to end in that one body gets ``ChecksumMismatch`` instead of the last
bytes if they do not match. After a jump the body is a ranged one, which carries no checksum
of its own, so the rest of that reader's bytes are not checked. ``read_body`` (``read_bytes``)
checks the same way.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from ..._errors import RemoteStoreError
from ..._streams import seek_target
from ._integrity import BodyCheck
from ._transport import S3Transport

__all__ = ["READ_BUFFER", "S3RangeReader", "open_reader", "read_body"]

READ_BUFFER = 1024 * 1024
"""Buffer of the ``BufferedReader`` around the raw reader (one loop hop per refill)."""

_BODY_CHUNK = 1024 * 1024


async def read_body(body: Any, length: int | None, check: BodyCheck | None) -> bytes:
    """The whole body of a ``GetObject`` answer, holding the object in memory once.

    Reading everything and joining the chunks (what ``body.read()`` does) holds
    the object twice at the end. Here the chunks go into one ``BytesIO`` sized
    from ``Content-Length`` up front, whose ``getvalue()`` hands over its own
    buffer without a copy (CPython), so peak memory is about the object plus one
    chunk. A body shorter than ``Content-Length`` raises ``EOFError``; with a *check*, a body
    that does not match the stored checksum raises ``ChecksumMismatch``.
    """
    if not length:
        data: bytes = await body.read()
        if check is not None:
            check.update(data)
            check.verify()
        return data
    sink = io.BytesIO()
    sink.seek(length - 1)
    sink.write(b"\0")  # one allocation of the final size
    sink.seek(0)
    received = 0
    while received < length:
        chunk = await body.read(min(_BODY_CHUNK, length - received))
        if not chunk:
            raise EOFError(f"connection closed after {received} of {length} bytes")
        sink.write(chunk)
        if check is not None:
            check.update(chunk)
        received += len(chunk)
    if check is not None:
        check.verify()
    return sink.getvalue()


class S3RangeReader(io.RawIOBase):
    """Raw binary reader over one S3 object; see the module docstring."""

    def __init__(
        self,
        transport: S3Transport,
        bucket: str,
        key: str,
        response: dict[str, Any],
    ) -> None:
        super().__init__()
        self._transport = transport
        self._bucket = bucket
        self._key = key
        self._size = int(response.get("ContentLength", 0))
        self._etag: str | None = response.get("ETag")
        self._body: Any = response.get("Body")
        self._body_pos = 0
        self._pos = 0
        # Checks the first body only, and only while it is read from the start without a jump.
        self._body_check = BodyCheck.of(response, key)
        self._mismatch: RemoteStoreError | None = None

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        target = seek_target(offset, whence, position=self._pos, size=self._size)
        self._pos = target
        return target

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _reopen(self) -> None:
        self._drop_body()
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": self._key,
            "Range": f"bytes={self._pos}-",
        }
        if self._etag:
            params["IfMatch"] = self._etag
        response = self._transport.call("get_object", path=self._key, action="read", **params)
        self._body = response.get("Body")
        self._body_pos = self._pos
        self._body_check = None  # a ranged body: no checksum covers it

    def _drop_body(self) -> None:
        body, self._body = self._body, None
        if body is not None:

            async def _close() -> None:
                body.close()

            # Releasing a connection must never mask the caller's own work or error.
            with contextlib.suppress(Exception):
                self._transport.run(_close)

    def readinto(self, buffer: Any) -> int:
        self._check_open()
        if self._mismatch is not None:
            raise self._mismatch  # never hand out bytes of a body known to be corrupt
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or view.nbytes == 0:
            return 0
        wanted = min(view.nbytes, self._size - self._pos)
        if self._body is None or self._body_pos != self._pos:
            self._reopen()
        body = self._body

        async def _read() -> bytes:
            chunk: bytes = await body.read(wanted)
            return chunk

        try:
            chunk = self._transport.run(_read)
        except RemoteStoreError:
            raise
        except Exception as exc:
            self._drop_body()
            raise self._transport.map(exc, path=self._key, action="read") from exc
        if not chunk:
            self._drop_body()
            raise self._transport.map(
                EOFError(f"connection closed after {self._pos} of {self._size} bytes"),
                path=self._key,
                action="read",
            )
        count = len(chunk)
        check = self._body_check
        if check is not None:
            check.update(chunk)
            if self._pos + count >= self._size:
                self._body_check = None
                self._verify(check)
        view[:count] = chunk
        self._pos += count
        self._body_pos += count
        return count

    def _verify(self, check: BodyCheck) -> None:
        try:
            check.verify()
        except RemoteStoreError as exc:
            self._mismatch = exc
            self._drop_body()
            raise

    def readall(self) -> bytes:
        chunks = []
        while self._pos < self._size:
            chunk = self.read(min(self._size - self._pos, 8 * 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if not self.closed:
            self._drop_body()
        super().close()


def open_reader(
    transport: S3Transport, bucket: str, key: str, response: dict[str, Any]
) -> io.BufferedReader:
    """Wrap a ``GetObject`` response into a buffered, seekable, lazily streamed reader."""
    return io.BufferedReader(S3RangeReader(transport, bucket, key, response), READ_BUFFER)
