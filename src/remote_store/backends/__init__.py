"""Concrete backends. ``S3Backend`` and ``SFTPBackend`` appear only when their extras import."""

from __future__ import annotations

from ._local import LocalBackend
from ._memory import MemoryBackend

__all__ = ["LocalBackend", "MemoryBackend"]

try:
    from .s3 import S3Backend
except ImportError:  # the s3 extra is not installed
    pass
else:
    __all__ += ["S3Backend"]

try:
    from .sftp import HostKeyPolicy, SFTPBackend
except ImportError:  # the sftp extra is not installed
    pass
else:
    __all__ += ["HostKeyPolicy", "SFTPBackend"]

__all__.sort()
