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

__all__ = [
    "TARGET_KINDS",
    "Credentials",
    "ExternalTarget",
    "LoopbackTarget",
    "MinioTarget",
    "MotoProcessTarget",
    "MotoThreadTarget",
    "PopulateItem",
    "Target",
    "TargetError",
    "TargetStartError",
    "TargetUnavailable",
    "start_target",
    "synthetic_body",
]

TARGET_KINDS = ("moto", "moto-thread", "minio", "external")


def start_target(kind: str, **options: object) -> Target:
    """Start a target by kind name; ``options`` go to the constructor (external needs url etc.)."""
    target: MotoProcessTarget | MotoThreadTarget | MinioTarget | ExternalTarget
    if kind == "moto":
        target = MotoProcessTarget(**options)  # type: ignore[arg-type]
    elif kind == "moto-thread":
        target = MotoThreadTarget(**options)  # type: ignore[arg-type]
    elif kind == "minio":
        target = MinioTarget(**options)  # type: ignore[arg-type]
    elif kind == "external":
        target = ExternalTarget(**options)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown target kind {kind!r}; expected one of {TARGET_KINDS}")
    return target.start()
