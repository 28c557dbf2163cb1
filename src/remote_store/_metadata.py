"""User-metadata validation shared by the Store and the backends.

Metadata must survive a round trip identically on every backend, and S3 is the
strictest carrier (HTTP headers ``x-amz-meta-<key>: <value>``). So the rules are
the header rules, applied everywhere before any request:

* keys: non-empty ASCII HTTP token characters, not starting with ``_``;
  normalised to lowercase (IO-18: S3 lowercases them, so every backend does);
  two keys differing only in case are rejected rather than silently merged;
* values: printable ASCII (space to ``~``) without leading/trailing blanks,
  because HTTP trims those and cannot carry control or non-ASCII characters;
* ``sum(len(key) + len(value))`` at most 2048 bytes (the S3 limit).

``None`` and ``{}`` both mean "no metadata" and are never gated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MAX_METADATA_BYTES", "normalize_metadata"]

MAX_METADATA_BYTES = 2048

_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^`|~-][A-Za-z0-9!#$%&'*+.^_`|~-]*$")
_VALUE = re.compile(r"^(?:[!-~](?:[ -~]*[!-~])?)?$")


def normalize_metadata(metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    """Validate ``metadata`` and return it with lowercased keys, or ``None`` when empty.

    Raises ``ValueError`` naming the offending key for every shape violation.
    """
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise ValueError(f"metadata must be a mapping of str to str, got {type(metadata).__name__}")
    if not metadata:
        return None
    result: dict[str, str] = {}
    total = 0
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise ValueError(f"metadata keys must be str, got {type(key).__name__}: {key!r}")
        if not isinstance(value, str):
            raise ValueError(
                f"metadata value for key {key!r} must be str, got {type(value).__name__}"
            )
        if not key:
            raise ValueError("metadata keys must be non-empty")
        if key.startswith("_"):
            raise ValueError(
                f"metadata key {key!r} must not start with '_' (must not start with underscore)"
            )
        if not _TOKEN.match(key):
            raise ValueError(
                f"metadata key {key!r} must consist of ASCII letters, digits and "
                "HTTP token characters (no spaces, ':', '/', '=' or non-ASCII)"
            )
        if not _VALUE.match(value):
            raise ValueError(
                f"metadata value for key {key!r} must be printable ASCII without "
                "leading or trailing whitespace (it must round-trip through an HTTP header)"
            )
        lowered = key.lower()
        if lowered in result:
            raise ValueError(f"metadata keys must be unique ignoring case; {key!r} repeats")
        result[lowered] = value
        total += len(key) + len(value)
    if total > MAX_METADATA_BYTES:
        raise ValueError(
            f"metadata is {total} bytes (keys plus values); the limit is {MAX_METADATA_BYTES}"
        )
    return result
