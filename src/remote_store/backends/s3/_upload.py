"""Writes: one ``PutObject`` for bodies up to one part, multipart as data arrives otherwise.

The ``WriteResult`` is built from the write's own response (``ETag``,
``VersionId``, checksum headers, ``Last-Modified`` or else ``Date``): no HEAD
after a write (Decisions, "Write round trips").

``overwrite=False`` is enforced by the server (``If-None-Match: *`` on the
``PutObject`` or ``CompleteMultipartUpload``), so two racing writers cannot both
succeed (Decisions IO-1). Multipart uploads are invisible until completed and
are aborted on *any* failure, including one raised by the caller's own
stream, so an error never leaves an object or an orphaned upload behind
(IO-7). Memory stays bounded by about one part.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..._models import ContentDigest, WriteResult
from ..._path import RemotePath
from ._listing import normalise_etag
from ._transport import S3Transport

__all__ = [
    "PART_SIZE",
    "MultipartSink",
    "put_object",
    "write_result",
]

_log = logging.getLogger("remote_store.backends.s3")

PART_SIZE = 8 * 1024 * 1024
"""Multipart part size; a body of at most this many bytes is one ``PutObject``."""

_MAX_PARTS = 10_000
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


def put_object(
    transport: S3Transport,
    bucket: str,
    key: str,
    body: bytes | bytearray | memoryview,
    *,
    conditional: bool,
    metadata: dict[str, str] | None,
) -> WriteResult:
    """One ``PutObject``; ``conditional`` adds ``If-None-Match: *`` (412/409 -> AlreadyExists)."""
    data = bytes(body)
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": data}
    if metadata:
        params["Metadata"] = metadata
    if conditional:
        params["IfNoneMatch"] = "*"
    response = transport.call(
        "put_object", path=key, action="write", conditional=conditional, **params
    )
    return write_result(key, len(data), response, metadata)


class MultipartSink:
    """A write-only sink that becomes a multipart upload once more than one part arrives.

    Bytes are buffered until they exceed one part; then parts are uploaded as
    they fill. ``commit()`` sends a single ``PutObject`` if the whole body fit
    in one part, else uploads the tail and completes the upload. ``abort()``
    (called on any failure) removes the in-progress upload.
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
    ) -> None:
        self._transport = transport
        self._bucket = bucket
        self._key = key
        self._conditional = conditional
        self._metadata = metadata
        self._base_part_size = part_size
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._size = 0
        self._finished = False

    # -- the stream surface AtomicWriter uses ------------------------------------
    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._finished:
            raise ValueError("write to a finished upload")
        view = memoryview(data).cast("B")
        self._buffer += view
        self._size += view.nbytes
        while len(self._buffer) > self._part_size():
            self._upload_part(self._part_size())
        return view.nbytes

    def flush(self) -> None:
        """Nothing to flush: parts leave as soon as they are full."""

    @property
    def size(self) -> int:
        return self._size

    # -- internals ----------------------------------------------------------------
    def _part_size(self) -> int:
        # Grow the part size every 1,000 parts so 10,000 parts never run out.
        return self._base_part_size * (1 + len(self._parts) // 1000)

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

    def _upload_part(self, length: int) -> None:
        upload_id = self._upload_id or self._start()
        if len(self._parts) >= _MAX_PARTS:
            raise ValueError("object too large for a multipart upload (10,000 parts)")
        body = bytes(self._buffer[:length])
        number = len(self._parts) + 1
        response = self._transport.call(
            "upload_part",
            path=self._key,
            action="write",
            Bucket=self._bucket,
            Key=self._key,
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm="CRC32",
        )
        part: dict[str, Any] = {"PartNumber": number, "ETag": response["ETag"]}
        if response.get("ChecksumCRC32"):
            part["ChecksumCRC32"] = response["ChecksumCRC32"]
        self._parts.append(part)
        del self._buffer[:length]

    def commit(self) -> WriteResult:
        """Make the object visible (one PUT, or the last part plus Complete)."""
        if self._finished:
            raise ValueError("upload already finished")
        try:
            if self._upload_id is None:
                result = put_object(
                    self._transport,
                    self._bucket,
                    self._key,
                    self._buffer,
                    conditional=self._conditional,
                    metadata=self._metadata,
                )
            else:
                if self._buffer:
                    self._upload_part(len(self._buffer))
                params: dict[str, Any] = {
                    "Bucket": self._bucket,
                    "Key": self._key,
                    "UploadId": self._upload_id,
                    "MultipartUpload": {"Parts": self._parts},
                }
                if self._conditional:
                    params["IfNoneMatch"] = "*"
                response = self._transport.call(
                    "complete_multipart_upload",
                    path=self._key,
                    action="write",
                    conditional=self._conditional,
                    **params,
                )
                result = write_result(self._key, self._size, response, self._metadata)
        except BaseException:
            self.abort()
            raise
        self._finished = True
        self._buffer = bytearray()
        return result

    def abort(self) -> None:
        """Drop buffered bytes and abort the in-progress upload, if any (best effort)."""
        self._finished = True
        self._buffer = bytearray()
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
