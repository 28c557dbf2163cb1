"""A cheaper timestamp parser for botocore's response parsers.

botocore parses every timestamp of a response with ``dateutil`` (about half the
client CPU of a large listing, measured). S3 answers ``ListObjectsV2`` with ISO
8601 times (``2026-12-01T10:00:00.000Z``), which ``datetime.fromisoformat``
parses in a fraction of that; anything else (HTTP dates in headers such as
``Last-Modified``) still goes to botocore's own parser, so every value parses to
the same instant as before. :mod:`._parser` gives it to each client's response parser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["parse_timestamp"]


def parse_timestamp(value: Any) -> datetime:
    """``value`` as an aware ``datetime``: ISO 8601 fast, everything else through botocore."""
    if isinstance(value, str) and len(value) >= 20 and value[10] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:  # zoneless text: botocore's own answer (naive)
                return parsed
    from botocore.utils import parse_timestamp as botocore_parse

    result: datetime = botocore_parse(value)
    return result
