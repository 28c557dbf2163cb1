"""Concrete backends. ``S3Backend`` and ``SFTPBackend`` appear only when their extras are installed.

The network backends are loaded on first attribute access (PEP 562), so
``import remote_store`` and ``import remote_store.backends`` pull in no
third-party dependency: an S3 user never imports paramiko and a local-disk user
never imports s3fs. Whether an extra is installed is decided from its package's
import spec, without importing it. Asking for a backend whose extra is missing
(``from remote_store.backends import S3Backend``) raises ``ImportError`` with
the ``pip install`` line that fixes it.
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
    from .sftp import SFTPUtils as SFTPUtils

_LAZY: dict[str, tuple[str, str, str]] = {
    # public name -> (submodule, the third-party package its extra installs, the extra)
    "S3Backend": (".s3", "s3fs", "s3"),
    "HostKeyPolicy": (".sftp", "paramiko", "sftp"),
    "SFTPBackend": (".sftp", "paramiko", "sftp"),
    "SFTPUtils": (".sftp", "paramiko", "sftp"),
}


def _install_hint(name: str) -> str:
    """What to install for backend class ``name`` (one wording for every place that says it)."""
    extra = _LAZY[name][2]
    return f"{name} needs the '{extra}' extra: pip install 'remote-store-s3kit[{extra}]'"


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


__all__ = sorted(
    ["LocalBackend", "MemoryBackend", *(n for n, (_, pkg, _e) in _LAZY.items() if _installed(pkg))]
)


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _installed(entry[1]):  # decided before importing: the client is imported lazily
        raise ImportError(_install_hint(name), name=entry[1])
    module = importlib.import_module(entry[0], __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
