"""Verification of ``GetObject`` bodies against the object's stored full-object checksum (IO-25).

Every read path (``read_bytes``, ``read()`` streams, ``read_seekable()``) uses this one check:
a :class:`BodyCheck` built from the response of a whole-object ``GetObject`` (sent with
``ChecksumMode=ENABLED``) is fed every byte handed to the caller, in order, and verified when
the last byte of the object has been read. A mismatch raises ``ChecksumMismatch``.

What can be checked follows from what S3 stores:

* A **full-object** checksum (single PUT, or a multipart upload created with
  ``ChecksumType=FULL_OBJECT``) covers the bytes of the object: checked, for CRC32 (``zlib``),
  SHA-1 and SHA-256 (``hashlib``).
* A **composite** checksum (``ChecksumType=COMPOSITE``, value ``<b64>-<parts>``; what a
  multipart upload stores by default, ours included) is a checksum of the parts' checksums. It
  cannot be computed from the body without the part boundaries: not checked.
* CRC32C and CRC64NVME have no standard-library implementation (botocore itself checks them
  only with ``awscrt``): not checked.
* A **ranged** response covers part of the object, so no full-object checksum applies to it:
  ranged ``GetObject`` requests do not ask for checksums at all (``_transport``).

botocore's own response validation is switched off for our requests (``_transport``), so this
module is the only place a read is checked and a checksum is computed once per byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..._errors import ChecksumMismatch

__all__ = ["BodyCheck"]

BACKEND = "s3"


class _Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...

    def digest(self) -> bytes: ...


class _Crc32:
    """``zlib.crc32`` behind the ``hashlib`` interface (big-endian 4-byte digest, as S3 sends)."""

    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes | memoryview, /) -> None:
        self._value = zlib.crc32(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


#: Response field, algorithm name and hasher factory, in order of preference (cheapest first).
_VERIFIABLE: tuple[tuple[str, str, Callable[[], _Hasher]], ...] = (
    ("ChecksumCRC32", "CRC32", _Crc32),
    ("ChecksumSHA256", "SHA256", hashlib.sha256),
    ("ChecksumSHA1", "SHA1", hashlib.sha1),
)


class BodyCheck:
    """The running checksum of one body; see the module docstring."""

    def __init__(self, key: str, algorithm: str, expected: bytes, hasher: _Hasher) -> None:
        self._key = key
        self.algorithm = algorithm
        self._expected = expected
        self._hasher = hasher

    @classmethod
    def of(cls, response: Mapping[str, Any], key: str) -> BodyCheck | None:
        """The check for a whole-object ``GetObject`` *response*, or None if none applies."""
        if str(response.get("ChecksumType", "")).upper() == "COMPOSITE":
            return None
        for field, algorithm, factory in _VERIFIABLE:
            value = response.get(field)
            if not isinstance(value, str) or "-" in value:
                continue  # absent, or a composite "<b64>-<parts>" value
            try:
                expected = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                continue  # not a checksum we can read: nothing to compare against
            return cls(key, algorithm, expected, factory())
        return None

    def update(self, data: bytes | memoryview) -> None:
        self._hasher.update(data)

    def verify(self) -> None:
        """Raise ``ChecksumMismatch`` unless the bytes seen match the stored checksum."""
        actual = self._hasher.digest()
        if actual != self._expected:
            raise ChecksumMismatch(
                f"read: the body does not match the object's stored {self.algorithm} checksum "
                f"(stored {base64.b64encode(self._expected).decode()}, "
                f"received bytes give {base64.b64encode(actual).decode()}); "
                "the data read is corrupt and must be discarded",
                path=self._key,
                backend=BACKEND,
            )
