"""The S3 backend's timestamp parser answers exactly what botocore's own parser answers."""

from __future__ import annotations

import pytest

pytest.importorskip("botocore")

from botocore.utils import parse_timestamp as botocore_parse

from remote_store.backends.s3._timestamps import parse_timestamp


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T22:00:00.000Z",  # ListObjectsV2
        "2026-12-01T22:00:00Z",
        "2026-12-01T22:00:00.123456+01:00",
        "2026-12-01T22:00:00.000",  # no zone: naive, as botocore answers
        "Tue, 01 Dec 2026 22:00:00 GMT",  # HTTP date (Last-Modified header)
        "1796162400",  # epoch seconds
    ],
)
def test_every_timestamp_parses_to_the_same_instant_as_botocore(value: str) -> None:
    ours, theirs = parse_timestamp(value), botocore_parse(value)
    assert ours == theirs and (ours.tzinfo is None) == (theirs.tzinfo is None)


def test_unparseable_text_raises_like_botocore() -> None:
    with pytest.raises(ValueError):
        botocore_parse("not a time")
    with pytest.raises(ValueError):
        parse_timestamp("not a time")
