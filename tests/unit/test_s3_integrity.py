"""Which ``GetObject`` answers the S3 read check applies to (the check itself runs against moto
and rclone in tests/s3/test_read_integrity.py)."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import pytest

from remote_store import ChecksumMismatch
from remote_store.backends.s3._integrity import BodyCheck

CRC32_OF_DATA = base64.b64encode(zlib.crc32(b"data").to_bytes(4, "big")).decode()


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"ChecksumCRC32": f"{CRC32_OF_DATA}-3", "ChecksumType": "COMPOSITE"},
        {"ChecksumCRC32": f"{CRC32_OF_DATA}-3"},  # composite value, type not reported
        {"ChecksumCRC32": CRC32_OF_DATA, "ChecksumType": "COMPOSITE"},
        {"ChecksumCRC32C": "yZRlqg==", "ChecksumType": "FULL_OBJECT"},  # no stdlib CRC32C
        {"ChecksumCRC32": "not base64!"},
    ],
)
def test_answers_without_a_checkable_full_object_checksum_get_no_check(
    response: dict[str, Any],
) -> None:
    assert BodyCheck.of(response, "k") is None


def test_a_full_object_crc32_checks_the_bytes_fed_in_pieces() -> None:
    check = BodyCheck.of({"ChecksumCRC32": CRC32_OF_DATA, "ChecksumType": "FULL_OBJECT"}, "k")
    assert check is not None
    check.update(b"da")
    check.update(memoryview(b"ta"))
    check.verify()


def test_a_mismatch_names_the_algorithm_and_the_path() -> None:
    check = BodyCheck.of({"ChecksumCRC32": CRC32_OF_DATA}, "dir/k")
    assert check is not None
    check.update(b"dat4")

    with pytest.raises(ChecksumMismatch, match="CRC32") as caught:
        check.verify()

    assert (caught.value.path, caught.value.backend) == ("dir/k", "s3")
