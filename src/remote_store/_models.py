"""Value objects returned by stores: what a file, a folder and a write look like.

All are frozen. ``FileInfo``/``FolderEntry``/``FolderInfo`` compare by path
only, because a listing is a set of paths and two snapshots of one file are
"the same entry" even if its size changed between them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

from ._path import RemotePath

__all__ = [
    "UNKNOWN_TIME",
    "ContentDigest",
    "FileInfo",
    "FolderEntry",
    "FolderInfo",
    "PathEntry",
    "WriteResult",
]

UNKNOWN_TIME = datetime.min.replace(tzinfo=UTC)
"""Sentinel ``modified_at`` for a file whose time is unknown (never "now")."""

_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class ContentDigest:
    """A content checksum as lower-case hex, e.g. ``ContentDigest("crc32", "1a2b3c4d")``."""

    algorithm: str
    value: str

    def __post_init__(self) -> None:
        algorithm = self.algorithm.strip().lower()
        value = self.value.strip().lower()
        if not algorithm:
            raise ValueError(
                "ContentDigest.algorithm must be non-empty (algorithm must not be empty)"
            )
        if not value:
            raise ValueError("ContentDigest.value must be lower-case hex (value must not be empty)")
        if not _HEX.match(value):
            raise ValueError(
                "ContentDigest.value must be lower-case hex (value must be hexadecimal), "
                f"got {self.value!r}"
            )
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "value", value)


@dataclass(frozen=True, eq=False)
class FileInfo:
    """A file as seen by a listing or ``get_file_info``."""

    path: RemotePath
    name: str
    size: int
    modified_at: datetime
    digest: ContentDigest | None = None
    etag: str | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileInfo):
            return NotImplemented
        return self.path == other.path

    def __hash__(self) -> int:
        return hash(("file", self.path))


@dataclass(frozen=True, eq=False)
class FolderEntry:
    """A folder as seen by a listing: just where it is."""

    path: RemotePath
    name: str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FolderEntry):
            return NotImplemented
        return self.path == other.path

    def __hash__(self) -> int:
        return hash(("folder", self.path))


@dataclass(frozen=True, eq=False)
class FolderInfo:
    """Aggregate over every file below a folder."""

    path: RemotePath
    file_count: int
    total_size: int
    modified_at: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FolderInfo):
            return NotImplemented
        return self.path == other.path

    def __hash__(self) -> int:
        return hash(("folderinfo", self.path))


@dataclass(frozen=True)
class WriteResult:
    """What a write produced, taken from the write's own response where the backend has one.

    ``source`` is ``"native"`` when the backend fills it from its write path,
    ``"basic"`` when only ``path``/``size`` are known, ``"sidecar"`` when built
    afterwards by ``Store.head``.
    """

    path: RemotePath
    size: int
    source: Literal["native", "basic", "sidecar"] = "basic"
    digest: ContentDigest | None = None
    etag: str | None = None
    version_id: str | None = None
    last_modified: datetime | None = None
    metadata: Mapping[str, str] | None = None


@runtime_checkable
class PathEntry(Protocol):
    """Anything listing-shaped: has a ``name`` and a ``path``."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> RemotePath: ...
