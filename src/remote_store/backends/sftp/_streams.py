"""File objects the SFTP backend hands out: a read stream and the ``open_atomic`` sink.

Both translate every native failure raised while the caller uses them (a
dropped connection half way through a download, a stalled server) into the
library's errors, and report it so the backend can drop a dead connection.

The read stream is lazy with a bounded read-ahead: a plain ``SFTPFile.read``
costs one round trip per 32 KiB request, which caps throughput at
``32 KiB / RTT``. Sequential reads instead fetch a window of ``READ_AHEAD``
bytes as pipelined requests, so at most one window is held in memory whatever
the file size. Seeking drops the window. The requests are sent and their
answers collected in the calling thread (paramiko's own ``prefetch``/``readv``
start a helper thread, which dies noisily when the connection drops); this
uses paramiko's request plumbing (``_async_request``/``_read_response``), the
same calls its ``SFTPFile`` makes.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NoReturn

import paramiko
from paramiko.message import Message
from paramiko.sftp import CMD_DATA, CMD_READ, CMD_STATUS, CMD_WRITE, int64

from ..._streams import seek_target
from ._errors import map_error

__all__ = [
    "READ_AHEAD",
    "MappedSink",
    "PipelinedWriter",
    "ReadStream",
    "fetch_block",
    "iter_blocks",
]

READ_AHEAD = 4 * 1024 * 1024
"""Bytes requested at once (32 pipelined SFTP reads) while a stream is read sequentially."""

WRITE_WINDOW = 64
"""Unacknowledged WRITE requests (of 32 KiB) allowed in flight."""

_REQUEST = paramiko.SFTPFile.MAX_REQUEST_SIZE


class _Replies:
    """Receives the answers to pipelined READ requests (paramiko calls ``_async_response``)."""

    def __init__(self, sftp: paramiko.SFTPClient) -> None:
        self._sftp = sftp
        self.blocks: dict[int, bytes | BaseException] = {}

    def _async_response(self, t: int, msg: Message, num: int) -> None:
        if t == CMD_DATA:
            self.blocks[num] = bytes(msg.get_string())
            return
        if t == CMD_STATUS:
            try:
                self._sftp._convert_status(msg)  # type: ignore[attr-defined]
            except EOFError:  # SSH_FX_EOF: nothing more to read at that offset
                self.blocks[num] = b""
            except Exception as exc:
                self.blocks[num] = exc
            else:  # SSH_FX_OK (the answer to a WRITE)
                self.blocks[num] = b""
            return
        self.blocks[num] = paramiko.SFTPError(f"unexpected SFTP reply type {t}")


def fetch_pipelined(handle: paramiko.SFTPFile, offset: int, length: int) -> bytes:
    """Read ``length`` bytes at ``offset`` with all requests in flight at once.

    The result stops early at end of file or at the first short reply (the
    caller simply continues from where it ends).
    """
    sftp = handle.sftp
    replies = _Replies(sftp)
    numbers = [
        sftp._async_request(  # type: ignore[attr-defined]
            replies, CMD_READ, handle.handle, int64(start), min(_REQUEST, offset + length - start)
        )
        for start in range(offset, offset + length, _REQUEST)
    ]
    while len(replies.blocks) < len(numbers):
        sftp._read_response()  # type: ignore[attr-defined]  # dispatches one reply
    out = bytearray()
    for start, number in zip(range(offset, offset + length, _REQUEST), numbers, strict=True):
        block = replies.blocks[number]
        if isinstance(block, BaseException):
            raise block
        out += block
        if len(block) < min(_REQUEST, offset + length - start):
            break
    return bytes(out)


class PipelinedWriter:
    """Sequential writes to an open remote file with up to ``WRITE_WINDOW`` requests in flight.

    paramiko's own pipelined mode registers its acknowledgements anonymously, so
    any other reader of the same session (a pipelined read during ``copy``, a
    ``close``) silently swallows them, and a failed WRITE (disk full) can go
    unnoticed. Here every acknowledgement is collected and checked: ``write``
    raises the first failure it sees, ``finish`` waits for all of them.
    """

    def __init__(self, handle: paramiko.SFTPFile) -> None:
        self._handle = handle
        self._sftp = handle.sftp
        self._replies = _Replies(handle.sftp)
        self._pending: deque[int] = deque()
        self._offset = 0

    @property
    def offset(self) -> int:
        return self._offset

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _REQUEST):
            chunk = bytes(view[start : start + _REQUEST])
            number = self._sftp._async_request(  # type: ignore[attr-defined]
                self._replies, CMD_WRITE, self._handle.handle, int64(self._offset), chunk
            )
            self._offset += len(chunk)
            self._pending.append(number)
            self._settle(WRITE_WINDOW)

    def finish(self) -> None:
        """Wait until the server has acknowledged every write; raise the first failure."""
        self._settle(0)

    def _settle(self, limit: int) -> None:
        while len(self._pending) > limit:
            number = self._pending[0]
            while number not in self._replies.blocks:
                self._sftp._read_response()  # type: ignore[attr-defined]  # dispatches one reply
            self._pending.popleft()
            outcome = self._replies.blocks.pop(number)
            if isinstance(outcome, BaseException):
                raise outcome


def fetch_block(handle: paramiko.SFTPFile, pos: int, size: int) -> bytes:
    """Up to ``READ_AHEAD`` bytes at ``pos`` of a file believed to be ``size`` bytes long.

    Pipelined while the known size says there is more than one request's worth;
    beyond it (a file that grew) one plain read at a time, until end of file.
    """
    remaining = size - pos
    if remaining > _REQUEST:
        return fetch_pipelined(handle, pos, min(READ_AHEAD, remaining))
    handle.seek(pos)
    return bytes(handle.read(READ_AHEAD))


def iter_blocks(handle: paramiko.SFTPFile, size: int) -> Iterator[bytes]:
    """The whole file as consecutive blocks (native errors propagate unmapped)."""
    pos = 0
    while block := fetch_block(handle, pos, size):
        pos += len(block)
        yield block


class _MappedIO(io.RawIOBase):
    """What both file objects share: a native failure is reported to the backend (which drops
    a dead connection) and raised as the library's error for ``action``."""

    _action: ClassVar[str]

    def __init__(
        self, path: str, on_error: Callable[[BaseException], bool], io_timeout: float | None
    ) -> None:
        super().__init__()
        self._path = path
        self._on_error = on_error
        self._io_timeout = io_timeout

    def _fail(self, exc: Exception) -> NoReturn:
        dead = self._on_error(exc)
        raise map_error(
            exc, path=self._path, action=self._action, io_timeout=self._io_timeout, dead=dead
        ) from exc


class ReadStream(_MappedIO):
    """A remote file opened for reading: lazy, seekable, every native error mapped.

    ``size`` is the file size when it was opened; reads beyond it (a file that
    grows meanwhile) fall back to unpipelined reads, so nothing is lost.
    """

    _action = "read"

    def __init__(
        self,
        handle: paramiko.SFTPFile,
        size: int,
        path: str,
        on_error: Callable[[BaseException], bool],
        io_timeout: float | None,
    ) -> None:
        super().__init__(path, on_error, io_timeout)
        self._handle = handle
        self._size = size
        self._pos = 0
        self._window = b""
        self._window_pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _fetch(self) -> bytes:
        """The next block at ``self._pos`` (empty at end of file)."""
        try:
            return fetch_block(self._handle, self._pos, self._size)
        except Exception as exc:
            self._fail(exc)

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed stream")
        limit = None if size is None or size < 0 else size
        out = bytearray()
        while limit is None or len(out) < limit:
            if self._window_pos >= len(self._window):
                self._window = self._fetch()
                self._window_pos = 0
                if not self._window:
                    break
            available = len(self._window) - self._window_pos
            take = available if limit is None else min(available, limit - len(out))
            out += self._window[self._window_pos : self._window_pos + take]
            self._window_pos += take
            self._pos += take
        return bytes(out)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = seek_target(offset, whence, position=self._pos, size=self._size)
        if target != self._pos:
            self._pos = target
            self._window = b""
            self._window_pos = 0
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._handle.close()
        except Exception as exc:
            self._on_error(exc)  # closing a read handle on a dead link is not the caller's problem
        finally:
            super().close()


class MappedSink(_MappedIO):
    """``open_atomic``'s sink: writes go to the temp file, native errors are mapped."""

    _action = "write"

    def __init__(
        self,
        handle: PipelinedWriter,
        path: str,
        on_error: Callable[[BaseException], bool],
        io_timeout: float | None,
    ) -> None:
        super().__init__(path, on_error, io_timeout)
        self._handle = handle

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        payload = bytes(data)
        try:
            self._handle.write(payload)
        except Exception as exc:
            self._fail(exc)
        return len(payload)

    def flush(self) -> None:
        """Nothing to do: pipelined writes are confirmed when the temp file is closed."""
