"""Writes: one ``PutObject`` for bodies up to one part, multipart as data arrives otherwise.

The ``WriteResult`` is built from the write's own response (``ETag``,
``VersionId``, checksum headers, ``Last-Modified`` or else ``Date``): no HEAD
after a write (Decisions, "Write round trips").

``overwrite=False`` is enforced by the server (``If-None-Match: *`` on the
``PutObject`` or ``CompleteMultipartUpload``), so two racing writers cannot both
succeed (Decisions IO-1). Multipart uploads are invisible until completed and
are aborted on *any* failure, including one raised by the caller's own
stream, so an error never leaves an object or an orphaned upload behind
(IO-7).

Throughput and memory: up to ``parts_in_flight`` parts are uploading at once
while the caller fills the next one, so a large write runs at the server's pace
rather than one round trip per part. A ``bytes``-like body is sent as it is: its
parts are slices of the caller's own buffer, nothing is copied. A stream fills a
small pool of reused part buffers (``readinto`` straight from the caller's
stream where it has one): memory stays bounded by ``(parts_in_flight + 1) x part
size`` whatever the object's size. Every body travels as a ``ViewBody``
(``_body``), which botocore's hashing and aiohttp's sending read without copies;
a part buffer goes back to the pool only once its request (retries included)
has finished.
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import io
import logging
import mmap
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..._errors import RemoteStoreError
from ..._models import ContentDigest, WriteResult
from ..._path import RemotePath
from ._body import ViewBody
from ._certainty import Identity, stored_if_ours
from ._listing import normalise_etag
from ._transport import S3Transport

__all__ = [
    "PARTS_IN_FLIGHT",
    "PART_SIZE",
    "SINGLE_PUT_LIMIT",
    "MultipartSink",
    "part_size_for",
    "put_object",
    "remaining_size",
    "write_result",
]

_log = logging.getLogger("remote_store.backends.s3")

PART_SIZE = 8 * 1024 * 1024
"""Multipart part size; a body of at most this many bytes is one ``PutObject``."""

SINGLE_PUT_LIMIT = 64 * 1024 * 1024
"""A body whose size is known up front and at most this many bytes is one ``PutObject``.

Above one part, because one ``PutObject`` measured faster than 4 parts in flight on both
harness servers (moto and ``rclone serve s3``: 64 MiB at 1.4-1.7x the multipart rate, see
benchmarks/README.md "Upload path"). The size is known for a ``bytes``-like body (sent from the
caller's own buffer: no extra memory) and for a seekable stream (read into one buffer of its
size, so a stream write holds at most this many bytes). A stream of unknown size keeps the
one-part threshold: it becomes a multipart upload as soon as a second part's bytes arrive.
"""

PARTS_IN_FLIGHT = 4
"""Default number of parts of one upload that are on the wire at the same time."""

_MAX_PARTS = 10_000
_MIB = 1024 * 1024
_CHECKSUM_FIELDS = (
    ("ChecksumSHA256", "sha256"),
    ("ChecksumSHA1", "sha1"),
    ("ChecksumCRC32", "crc32"),
    ("ChecksumCRC32C", "crc32c"),
    ("ChecksumCRC64NVME", "crc64nvme"),
)


def _digest(response: Mapping[str, Any]) -> ContentDigest | None:
    for field, algorithm in _CHECKSUM_FIELDS:
        encoded = response.get(field)
        if not isinstance(encoded, str) or not encoded:
            continue
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue  # composite multipart checksums ("...-3") are not content digests
        if raw:
            return ContentDigest(algorithm, raw.hex())
    return None


def _last_modified(response: Mapping[str, Any]) -> datetime | None:
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    for name in ("last-modified", "date"):
        value = headers.get(name)
        if not value:
            continue
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).replace(microsecond=0)
    return None


def write_result(
    key: str, size: int, response: Mapping[str, Any], metadata: dict[str, str] | None
) -> WriteResult:
    """The ``WriteResult`` of a ``PutObject``/``CompleteMultipartUpload`` response."""
    return WriteResult(
        path=RemotePath(key),
        size=size,
        source="native",
        digest=_digest(response),
        etag=normalise_etag(response.get("ETag")),
        version_id=response.get("VersionId") or None,
        last_modified=_last_modified(response),
        metadata=dict(metadata) if metadata else None,
    )


def part_size_for(expected_size: int | None, base: int = PART_SIZE) -> int:
    """The part size for ``expected_size`` bytes: ``base``, or larger to stay within 10,000 parts.

    Rounded up to whole MiB. With an unknown size the sink grows its parts as it
    goes instead (see ``MultipartSink``).
    """
    if expected_size is None or expected_size <= base * _MAX_PARTS:
        return base
    needed = -(-expected_size // _MAX_PARTS)
    return -(-needed // _MIB) * _MIB


def put_object(
    transport: S3Transport,
    bucket: str,
    key: str,
    body: bytes | bytearray | memoryview,
    *,
    conditional: bool,
    metadata: dict[str, str] | None,
) -> WriteResult:
    """One ``PutObject``; ``conditional`` adds ``If-None-Match: *`` (412/409 -> AlreadyExists).

    The body is sent from the caller's own buffer (a ``ViewBody``, no copy). A failure that
    leaves open whether the object was stored is decided by its identity (``_certainty``).
    """
    view = memoryview(body).cast("B")
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": ViewBody(view)}
    if metadata:
        params["Metadata"] = metadata
    if conditional:
        params["IfNoneMatch"] = "*"
    try:
        response = transport.call(
            "put_object", path=key, action="write", conditional=conditional, **params
        )
    except RemoteStoreError as error:
        stored = stored_if_ours(transport, bucket, key, Identity.of_body(view), error)
        if stored is None:
            raise
        response = stored
    return write_result(key, view.nbytes, response, metadata)


def remaining_size(stream: Any) -> int | None:
    """The bytes ``stream`` holds from its position to its end, if it can tell without reading.

    Only a stream that says it is ``seekable()`` is asked (``tell``, ``seek`` to the end and
    back); ``None`` for any other, or when a probe fails before the position moved. A stream
    whose position cannot be restored raises: reading it from the wrong place would upload
    the wrong bytes.
    """
    try:
        if not stream.seekable():
            return None
        position = stream.tell()
        end = stream.seek(0, io.SEEK_END)
    except (AttributeError, OSError, ValueError):
        return None
    stream.seek(position)  # a failure here is the caller's stream failing: it propagates
    if not isinstance(position, int) or not isinstance(end, int):
        return None
    return max(0, end - position)


def _read_into(stream: Any, window: memoryview) -> int:
    """Fill ``window`` from ``stream`` (``readinto`` if it has one); 0 at the end."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        count = readinto(window)
        if count is None:
            raise TypeError("content stream is non-blocking (readinto returned None)")
        return int(count)
    chunk = stream.read(len(window))
    if not isinstance(chunk, bytes | bytearray | memoryview):
        raise TypeError("content stream must yield bytes")
    count = memoryview(chunk).nbytes
    window[:count] = chunk
    return count


class _PartBuffer:
    """One part's bytes: anonymous memory mapped once and reused for part after part.

    An anonymous ``mmap`` rather than a ``bytearray``: ``bytearray(n)`` writes ``n`` zeros
    (every page resident at once), a mapping's pages become resident only as bytes arrive.
    A 4 KiB stream in an 8 MiB part buffer then costs one page, not 8 MiB of zeroing, and
    a buffer sized for a whole body costs no more than the body. A buffer that will be filled
    (``fill=True``) is mapped with ``MAP_POPULATE`` where the platform has it: the kernel
    provides every page in one call, which measured about half the cost of faulting them in
    one by one as ``readinto`` writes them (64 MiB: 40 against 60-95 ms here).
    """

    __slots__ = ("capacity", "view")

    def __init__(self, capacity: int, *, fill: bool = False) -> None:
        self.capacity = capacity
        if not capacity:
            self.view = memoryview(bytearray())
            return
        if not hasattr(mmap, "MAP_ANONYMOUS"):  # Windows: anonymous and paged on demand too
            self.view = memoryview(mmap.mmap(-1, capacity))
            return
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
        if fill:
            flags |= getattr(mmap, "MAP_POPULATE", 0)
        self.view = memoryview(mmap.mmap(-1, capacity, flags=flags))

    def fill(self, offset: int, data: memoryview) -> None:
        self.view[offset : offset + data.nbytes] = data

    def fill_from(self, offset: int, source: Any) -> int:
        return _read_into(source, self.view[offset:])

    def contents(self, length: int) -> memoryview:
        return self.view[:length]


_Pending = tuple[int, "concurrent.futures.Future[dict[str, Any]]", _PartBuffer | None]


class MultipartSink:
    """A write-only sink that becomes a multipart upload once more than one part arrives.

    Bytes fill part buffers; a full buffer is sent as soon as the first byte
    beyond it arrives (so a body of exactly one part is still a single
    ``PutObject``), with up to ``parts_in_flight`` parts uploading at once.
    ``commit()`` sends a single ``PutObject`` if the whole body fit in one part,
    else uploads the tail, waits for every part and completes the upload.
    ``abort()`` (called on any failure) cancels and waits for the parts in
    flight to finish, then removes the upload, so no part can land after the abort.

    ``expected_size`` (when the caller knows it) picks a part size that keeps the
    object under 10,000 parts; without it the part size grows by ``part_size``
    every 1,000 parts. An ``expected_size`` of at most ``SINGLE_PUT_LIMIT`` makes the
    first buffer large enough for the whole body, so it is one ``PutObject``; should the
    stream hold more than it said, that buffer becomes the first part.
    """

    def __init__(
        self,
        transport: S3Transport,
        bucket: str,
        key: str,
        *,
        conditional: bool,
        metadata: dict[str, str] | None,
        part_size: int = PART_SIZE,
        parts_in_flight: int = PARTS_IN_FLIGHT,
        expected_size: int | None = None,
    ) -> None:
        if parts_in_flight < 1:
            raise ValueError("parts_in_flight must be >= 1")
        self._transport = transport
        self._bucket = bucket
        self._key = key
        self._conditional = conditional
        self._metadata = metadata
        self._expected_size = expected_size
        self._base_part_size = part_size_for(expected_size, part_size)
        self._first_capacity = self._base_part_size
        if expected_size is not None and expected_size <= SINGLE_PUT_LIMIT:
            self._first_capacity = max(self._base_part_size, expected_size)
        self._parts_in_flight = parts_in_flight
        self._current: _PartBuffer | None = None
        self._tail: memoryview | None = None  # the last slice of a ``write_all`` body
        self._filled = 0
        self._pool: list[_PartBuffer] = []
        self._pending: list[_Pending] = []
        self._upload_id: str | None = None
        self._parts: dict[int, dict[str, Any]] = {}
        self._next_number = 1
        self._size = 0
        self._finished = False

    # -- the stream surface AtomicWriter uses ------------------------------------
    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._check_writable()
        view = memoryview(data).cast("B")
        total = view.nbytes
        while view.nbytes:
            buffer = self._room()
            count = min(view.nbytes, buffer.capacity - self._filled)
            buffer.fill(self._filled, view[:count])
            self._filled += count
            self._size += count
            view = view[count:]
        return total

    def write_all(self, data: bytes | bytearray | memoryview) -> None:
        """Upload ``data``, the whole body, as slices of it: no part buffers, no copies.

        Only on a fresh sink. The caller keeps ``data`` unchanged until ``commit()`` or
        ``abort()`` returns. The last slice waits for ``commit()``, so a body of at most
        one part is still a single ``PutObject``.
        """
        if self._finished or self._size or self._tail is not None:
            raise ValueError("write_all needs a fresh upload")
        view = memoryview(data).cast("B")
        self._size = view.nbytes
        while view.nbytes > (size := self._part_size()):
            self._send_view(view[:size], None)
            view = view[size:]
        self._tail = view

    def write_from(self, stream: Any) -> None:
        """Copy ``stream`` to its end straight into the part buffers (``readinto`` if it has one).

        A full buffer is sent only once the stream has yielded a byte beyond it, so
        a stream of exactly one part is still a single ``PutObject``.
        """
        self._check_writable()
        while True:
            buffer = self._current
            if buffer is None:
                buffer = self._room()
            if self._filled < buffer.capacity:
                count = buffer.fill_from(self._filled, stream)
                if not count:
                    return
                self._filled += count
                self._size += count
                continue
            # The current part is full: read the next one before deciding to send it.
            spare = self._take(self._part_size())
            count = spare.fill_from(0, stream)
            if not count:
                self._pool.append(spare)
                return
            self._send(buffer)
            self._current, self._filled = spare, count
            self._size += count

    def flush(self) -> None:
        """Nothing to flush: parts leave as soon as they are full."""

    def _check_writable(self) -> None:
        if self._finished:
            raise ValueError("write to a finished upload")
        if self._tail is not None:
            raise ValueError("write after write_all (which takes the whole body)")

    @property
    def size(self) -> int:
        return self._size

    # -- internals ----------------------------------------------------------------
    def _part_size(self) -> int:
        # Grow the part size every 1,000 parts so 10,000 parts never run out.
        return self._base_part_size * (1 + (self._next_number - 1) // 1000)

    def _room(self) -> _PartBuffer:
        """The buffer with free space, sending the current one first if it is full."""
        buffer = self._current
        if buffer is not None and self._filled < buffer.capacity:
            return buffer
        if buffer is not None:
            self._send(buffer)  # full, and more bytes are coming: it is not the only part
        first = self._next_number == 1  # nothing sent yet
        buffer = self._take(self._first_capacity if first else self._part_size())
        self._current = buffer
        self._filled = 0
        return buffer

    def _take(self, size: int) -> _PartBuffer:
        """A part buffer of ``size`` bytes: a recycled one if the pool has it.

        A new buffer is pre-faulted only when the announced size says it will be filled.
        """
        while self._pool:
            spare = self._pool.pop()
            if spare.capacity == size:
                return spare
        expected = self._expected_size
        return _PartBuffer(size, fill=expected is not None and expected - self._size >= size)

    def _start(self) -> str:
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": self._key,
            "ChecksumAlgorithm": "CRC32",
        }
        if self._metadata:
            params["Metadata"] = self._metadata
        response = self._transport.call(
            "create_multipart_upload", path=self._key, action="write", **params
        )
        upload_id = str(response["UploadId"])
        self._upload_id = upload_id
        return upload_id

    def _send(self, buffer: _PartBuffer, length: int | None = None) -> None:
        """Start uploading ``buffer`` (its first ``length`` bytes) as the next part."""
        self._current = None
        self._send_view(buffer.contents(buffer.capacity if length is None else length), buffer)

    def _send_view(self, view: memoryview, buffer: _PartBuffer | None) -> None:
        """Start uploading ``view`` as the next part; ``buffer`` (if any) is recycled after it."""
        upload_id = self._upload_id or self._start()
        number = self._next_number
        if number > _MAX_PARTS:
            raise ValueError("object too large for a multipart upload (10,000 parts)")
        while len(self._pending) >= self._parts_in_flight:
            self._settle(concurrent.futures.FIRST_COMPLETED)
        future = self._transport.submit(
            "upload_part",
            {
                "Bucket": self._bucket,
                "Key": self._key,
                "UploadId": upload_id,
                "PartNumber": number,
                "Body": ViewBody(view),
                "ChecksumAlgorithm": "CRC32",
            },
        )
        self._next_number += 1
        self._pending.append((number, future, buffer))

    def _settle(self, return_when: str) -> None:
        """Wait for parts in flight; record finished ones and recycle their buffers."""
        futures = [future for _, future, _ in self._pending]
        done, _ = concurrent.futures.wait(futures, return_when=return_when)
        still: list[_Pending] = []
        failure: BaseException | None = None
        for entry in self._pending:
            number, future, buffer = entry
            if future not in done:
                still.append(entry)
                continue
            exc = future.exception()
            if exc is not None:
                failure = failure or exc
                continue
            response = future.result()
            part: dict[str, Any] = {"PartNumber": number, "ETag": response["ETag"]}
            if response.get("ChecksumCRC32"):
                part["ChecksumCRC32"] = response["ChecksumCRC32"]
            self._parts[number] = part
            if buffer is not None and len(self._pool) < self._parts_in_flight:
                self._pool.append(buffer)
        self._pending = still
        if failure is not None:
            raise self._transport.map(failure, path=self._key, action="write") from failure

    def _drain(self) -> None:
        """Wait for every part in flight, ignoring its outcome (abort path).

        Waiting, not cancelling: a cancelled request may still be on the wire, and a
        part that lands after ``AbortMultipartUpload`` would be stored as an orphan.
        """
        pending, self._pending = self._pending, []
        concurrent.futures.wait([future for _, future, _ in pending])

    def commit(self) -> WriteResult:
        """Make the object visible (one PUT, or the last parts plus Complete)."""
        if self._finished:
            raise ValueError("upload already finished")
        try:
            if self._upload_id is None:
                current = self._current
                body: bytes | memoryview = b""
                if self._tail is not None:
                    body = self._tail
                elif current is not None:
                    body = current.contents(self._filled)
                result = put_object(
                    self._transport,
                    self._bucket,
                    self._key,
                    body,
                    conditional=self._conditional,
                    metadata=self._metadata,
                )
            else:
                if self._tail is not None:
                    self._send_view(self._tail, None)
                    self._tail = None
                elif self._current is not None and self._filled:
                    self._send(self._current, self._filled)
                while self._pending:
                    self._settle(concurrent.futures.FIRST_COMPLETED)
                params: dict[str, Any] = {
                    "Bucket": self._bucket,
                    "Key": self._key,
                    "UploadId": self._upload_id,
                    "MultipartUpload": {"Parts": [self._parts[n] for n in sorted(self._parts)]},
                }
                if self._conditional:
                    params["IfNoneMatch"] = "*"
                try:
                    response = self._transport.call(
                        "complete_multipart_upload",
                        path=self._key,
                        action="write",
                        conditional=self._conditional,
                        **params,
                    )
                except RemoteStoreError as error:
                    identity = Identity.of_parts(self._size, params["MultipartUpload"]["Parts"])
                    stored = stored_if_ours(
                        self._transport, self._bucket, self._key, identity, error
                    )
                    if stored is None:
                        raise
                    response = stored
                    self._upload_id = None  # completed: nothing left to abort
                result = write_result(self._key, self._size, response, self._metadata)
        except BaseException:
            self.abort()
            raise
        self._finished = True
        self._release()
        return result

    def _release(self) -> None:
        self._current = None
        self._tail = None
        self._filled = 0
        self._pool = []

    def abort(self) -> None:
        """Drop buffered bytes, stop the parts in flight and abort the upload (best effort)."""
        self._finished = True
        self._drain()
        self._release()
        upload_id, self._upload_id = self._upload_id, None
        if upload_id is None:
            return
        try:
            self._transport.call(
                "abort_multipart_upload",
                path=self._key,
                action="abort upload",
                Bucket=self._bucket,
                Key=self._key,
                UploadId=upload_id,
            )
        except Exception as exc:
            _log.warning("could not abort multipart upload %s of %r: %s", upload_id, self._key, exc)
