"""The rules every backend shares, written once.

``Backend`` (in ``_backend``) calls these for the parts of the contract that do
not depend on the storage: which keys may be a file target, the one error for
each kind of write conflict, ``max_depth`` validation, folder-info aggregation
from a stream of files and the temp-file naming convention (the atomic-writer
lifecycle is ``Backend._atomic_session``). Backends implement the storage
primitives around them and do not re-implement any of this; a rule changed
here changes on every backend.

Temp-file naming convention (read this before hiding temp files from listings):
every backend that stages a file next to its target names it
``.~<tag>.<name>.<hex8>``, where ``<tag>`` is ``tmp`` (an atomic write or copy in
flight) or ``bak`` (an occupant displaced during an overwrite), ``<name>`` is the
target's name cut to :data:`TEMP_NAME_KEEP` characters (so the temp name stays
within a 255-byte file-name limit) and ``<hex8>`` is random. Use
:func:`is_temp_name` to recognise one; nothing else should parse them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from ._errors import AlreadyExists, InvalidPath
from ._models import UNKNOWN_TIME, FileInfo, FolderInfo
from ._path import RemotePath

__all__ = [
    "EXISTS_MESSAGE",
    "FOLDER_TARGET_MESSAGE",
    "ROOT_TARGET_MESSAGE",
    "TEMP_NAME_KEEP",
    "TEMP_PREFIX",
    "check_max_depth",
    "exists_error",
    "file_ancestor_error",
    "folder_target_error",
    "is_temp_name",
    "root_target_error",
    "summarise_files",
    "temp_name",
]

ROOT_TARGET_MESSAGE: Final = "Path must not be empty or root for file operations"
"""The one message for a file (or folder-delete) target that addresses the root."""

FOLDER_TARGET_MESSAGE: Final = (
    "Target is an existing folder (exists as a directory; Destination is a directory)"
)
"""The one message for a write, copy or move onto an existing folder.

Our wording first, then remote-store 0.33's phrases for a write and for a move/copy
destination, so a ``pytest.raises(match=...)`` written for either still matches.
"""

EXISTS_MESSAGE: Final = "File already exists (Destination already exists)"
"""The one message for a write, copy or move onto an existing file without ``overwrite``.

0.33 says "File already exists" for a write and "Destination already exists" for a
move/copy; this contains both.
"""

TEMP_PREFIX: Final = ".~"
"""Every temp name starts with this (see the module docstring)."""

TEMP_NAME_KEEP: Final = 48
"""How many characters of the target's name a temp name keeps (48 x 4 UTF-8 bytes + 15 < 255)."""

_TEMP_TAGS: Final = ("tmp", "bak")
_TEMP_NAME: Final = re.compile(r"\.~(?:tmp|bak)\..*\.[0-9a-f]{8}", re.DOTALL)


def root_target_error(path: str, backend: str) -> InvalidPath:
    """The error for a file target (or a folder to delete) at the root (R-WRITE-ORDER 0)."""
    return InvalidPath(ROOT_TARGET_MESSAGE, path=path, backend=backend)


def file_ancestor_error(path: str, ancestor: str, backend: str) -> InvalidPath:
    """The error for a write whose target lies below an existing file (R-WRITE-ORDER step 2).

    ``ancestor`` is the backend key of the file in the way.
    """
    return InvalidPath(
        f"An ancestor of the target exists as a file: {ancestor!r}", path=path, backend=backend
    )


def folder_target_error(path: str, backend: str) -> InvalidPath:
    """The error for a write, copy or move whose target is an existing folder (R-WRITE-ORDER)."""
    return InvalidPath(FOLDER_TARGET_MESSAGE, path=path, backend=backend)


def exists_error(path: str, backend: str) -> AlreadyExists:
    """The error for a write, copy or move onto an existing file without ``overwrite``."""
    return AlreadyExists(EXISTS_MESSAGE, path=path, backend=backend)


def check_max_depth(max_depth: int | None) -> None:
    """``max_depth`` is ``None`` (unlimited) or ``>= 0``; anything below is a ``ValueError``."""
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be >= 0, got {max_depth}")


def summarise_files(path: RemotePath, files: Iterable[FileInfo]) -> FolderInfo:
    """``FolderInfo`` of ``files``: count, total size, and the latest known modification time.

    Files whose time is unknown (``UNKNOWN_TIME``) count and add their size but
    do not set ``modified_at``; no file with a known time gives ``None``.
    """
    count = 0
    total = 0
    latest: datetime | None = None
    for info in files:
        count += 1
        total += info.size
        if info.modified_at != UNKNOWN_TIME and (latest is None or info.modified_at > latest):
            latest = info.modified_at
    return FolderInfo(path=path, file_count=count, total_size=total, modified_at=latest)


def temp_name(name: str, tag: str = "tmp") -> str:
    """A fresh temp name for staging ``name`` next to it (see the naming convention above)."""
    if tag not in _TEMP_TAGS:
        raise ValueError(f"temp tag must be one of {_TEMP_TAGS}, got {tag!r}")
    return f"{TEMP_PREFIX}{tag}.{name[:TEMP_NAME_KEEP]}.{secrets.token_hex(4)}"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` (one path segment) is a temp name made by :func:`temp_name`."""
    return _TEMP_NAME.fullmatch(name) is not None
