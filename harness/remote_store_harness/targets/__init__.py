"""S3 targets: the servers at the far end of a topology (see ``_base.Target``)."""

from __future__ import annotations

from ._base import (
    Credentials,
    LoopbackTarget,
    PopulateItem,
    Target,
    TargetError,
    TargetStartError,
    TargetUnavailable,
    synthetic_body,
)
from ._external import ExternalTarget
from ._minio import MinioTarget
from ._moto_process import MotoProcessTarget
from ._moto_thread import MotoThreadTarget
from ._rclone import RcloneTarget

__all__ = [
    "TARGET_KINDS",
    "Credentials",
    "ExternalTarget",
    "LoopbackTarget",
    "MinioTarget",
    "MotoProcessTarget",
    "MotoThreadTarget",
    "PopulateItem",
    "RcloneTarget",
    "Target",
    "TargetError",
    "TargetStartError",
    "TargetUnavailable",
    "start_target",
    "synthetic_body",
]

#: ``rclone`` serves plain HTTP (behind the gateway); ``rclone-tls`` serves HTTPS itself with a
#: leaf of the harness CA (``tls=ServerTLS(...)``, issued by ``start_topology``), reached directly.
TARGET_KINDS = ("moto", "moto-thread", "minio", "rclone", "rclone-tls", "external")


def start_target(kind: str, **options: object) -> Target:
    """Start a target by kind name; ``options`` go to the constructor (external needs url etc.)."""
    target: MotoProcessTarget | MotoThreadTarget | MinioTarget | RcloneTarget | ExternalTarget
    if kind == "moto":
        target = MotoProcessTarget(**options)  # type: ignore[arg-type]
    elif kind == "moto-thread":
        target = MotoThreadTarget(**options)  # type: ignore[arg-type]
    elif kind == "minio":
        target = MinioTarget(**options)  # type: ignore[arg-type]
    elif kind == "rclone":
        target = RcloneTarget(**options)  # type: ignore[arg-type]
    elif kind == "rclone-tls":
        if options.get("tls") is None:
            raise ValueError(
                "target kind 'rclone-tls' needs tls=ServerTLS(...) (start_topology "
                "issues one from the harness CA)"
            )
        target = RcloneTarget(**options)  # type: ignore[arg-type]
    elif kind == "external":
        target = ExternalTarget(**options)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown target kind {kind!r}; expected one of {TARGET_KINDS}")
    return target.start()
