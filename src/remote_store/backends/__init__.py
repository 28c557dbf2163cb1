"""Concrete backends. ``S3Backend`` and ``SFTPBackend`` appear only when their extras are installed.

The network backends are loaded on first attribute access (PEP 562), so
``import remote_store`` and ``import remote_store.backends`` pull in no
third-party dependency: an S3 user never imports paramiko and a local-disk user
never imports s3fs. Whether an extra is installed is decided from its package's
import spec, without importing it.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from ._local import LocalBackend as LocalBackend
from ._memory import MemoryBackend as MemoryBackend

if TYPE_CHECKING:
    from .s3 import S3Backend as S3Backend
    from .sftp import HostKeyPolicy as HostKeyPolicy
    from .sftp import SFTPBackend as SFTPBackend

_LAZY: dict[str, tuple[str, str]] = {
    # public name -> (submodule, the third-party package its extra installs)
    "S3Backend": (".s3", "s3fs"),
    "HostKeyPolicy": (".sftp", "paramiko"),
    "SFTPBackend": (".sftp", "paramiko"),
}


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


__all__ = sorted(
    ["LocalBackend", "MemoryBackend", *(n for n, (_, pkg) in _LAZY.items() if _installed(pkg))]
)


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(entry[0], __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
