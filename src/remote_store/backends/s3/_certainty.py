"""Deciding an uncertain write by the identity of what is stored.

A write's outcome is uncertain when its committing request (``PutObject`` or
``CompleteMultipartUpload``) got no answer (the connection died after the
request left) or got an error answer to a *re-send* of our own request (botocore
retried after such a loss; ``RetryAttempts > 0``). The first send may have been
stored: a conditional ``PutObject`` re-sent after a lost acknowledgement is
answered 412 because of our own object, a re-sent ``CompleteMultipartUpload``
finds its upload gone. Reporting ``AlreadyExists`` or ``BackendUnavailable``
then would be a lie to anyone using ``overwrite=False`` as a claim.

So, on the error path only, one ``HeadObject`` (``ChecksumMode=ENABLED``)
compares the stored object with what we sent: the size plus the ETag (MD5 of a
single PUT, MD5-of-part-MD5s ``-N`` of a multipart upload) or the CRC32 checksum
(full or composite), whichever the service reports. A match means the stored
object has our content: the write is reported as done. Anything else (no
object, another object, the HEAD failing) re-raises the original error.

The check is by content: an object with byte-identical content stored by
somebody else in the same moment is indistinguishable from ours (documented in
docs/data-safety.md). An answer to our *first* send is never second-guessed: a
412 without a re-send is someone else's object.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..._errors import BackendUnavailable, RemoteStoreError
from ._listing import normalise_etag
from ._transport import S3Transport

__all__ = ["Identity", "outcome_uncertain", "stored_if_ours"]

_log = logging.getLogger("remote_store.backends.s3")


def _b64_crc32(data: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


@dataclass(frozen=True)
class Identity:
    """What we sent, in the forms a service reports back (``None``: not computable)."""

    size: int
    etag: str | None
    crc32: str | None

    @classmethod
    def of_body(cls, data: bytes | bytearray | memoryview) -> Identity:
        return cls(
            len(data), hashlib.md5(data, usedforsecurity=False).hexdigest(), _b64_crc32(data)
        )

    @classmethod
    def of_parts(cls, size: int, parts: Sequence[Mapping[str, Any]]) -> Identity:
        """The multipart identity from the parts' own ``ETag``/``ChecksumCRC32`` answers."""
        count = len(parts)
        etag: str | None = None
        crc32: str | None = None
        try:
            digests = b"".join(bytes.fromhex(normalise_etag(p.get("ETag")) or "") for p in parts)
            if len(digests) == 16 * count:
                etag = f"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{count}"
        except ValueError:
            etag = None  # part ETags that are not MD5s (SSE-KMS): compare checksums only
        try:
            raw = b"".join(base64.b64decode(p["ChecksumCRC32"], validate=True) for p in parts)
            if len(raw) == 4 * count:
                crc32 = f"{_b64_crc32(raw)}-{count}"
        except (KeyError, TypeError, binascii.Error, ValueError):
            crc32 = None
        return cls(size, etag, crc32)

    def matches(self, head: Mapping[str, Any]) -> bool:
        if head.get("ContentLength") != self.size:
            return False
        stored_etag = normalise_etag(head.get("ETag"))
        if self.etag is not None and stored_etag == self.etag:
            return True
        stored_crc = head.get("ChecksumCRC32")
        return self.crc32 is not None and isinstance(stored_crc, str) and stored_crc == self.crc32


def outcome_uncertain(error: RemoteStoreError) -> bool:
    """Whether *error* from a committing request leaves open that the write was stored."""
    cause = error.__cause__
    response = getattr(cause, "response", None)
    if isinstance(response, Mapping):
        metadata = response.get("ResponseMetadata") or {}
        return int(metadata.get("RetryAttempts") or 0) > 0
    return isinstance(error, BackendUnavailable)  # no answer at all: the request may have landed


def stored_if_ours(
    transport: S3Transport, bucket: str, key: str, identity: Identity, error: RemoteStoreError
) -> dict[str, Any] | None:
    """The ``HeadObject`` answer if the write that raised *error* is in fact stored, else None."""
    if not outcome_uncertain(error):
        return None
    try:
        head = transport.call(
            "head_object",
            path=key,
            action="confirm write",
            Bucket=bucket,
            Key=key,
            ChecksumMode="ENABLED",
        )
    except RemoteStoreError:
        return None
    if not identity.matches(head):
        return None
    _log.info("write of %r: the answer was lost, but the stored object is ours (%s)", key, error)
    return head
