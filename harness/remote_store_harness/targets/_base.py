"""The contract every S3 target fulfils, and the errors targets raise.

A target is the S3-speaking server at the far end of a topology. The gateway always sits in front of
it, so a target only has to speak plain HTTP on loopback (``endpoint_url``); TLS, proxies, logging
and faults are the topology's business. Targets manage buckets themselves (not through the gateway)
so that fixture set-up and tear-down never appear in a test's request log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from ..endpoint import Credentials
from ..errors import TargetError, TargetStartError, TargetUnavailable

__all__ = [
    "Credentials",
    "PopulateItem",
    "Target",
    "TargetError",
    "TargetStartError",
    "TargetUnavailable",
    "synthetic_body",
]

#: One object to populate: ``(key, body)`` or ``(key, size)``; a size means :func:`synthetic_body`.
PopulateItem = tuple[str, bytes | int]


def synthetic_body(key: str, size: int) -> bytes:
    """Deterministic content of ``size`` bytes for ``key``, as stored by ``populate(..., size)``.

    The key (plus a newline) repeated and cut to ``size``: cheap to generate in bulk, different per
    key, and recomputable by a test that wants to check what it reads back.
    """
    if size <= 0:
        return b""
    unit = key.encode("utf-8") + b"\n"
    reps = size // len(unit) + 1
    return (unit * reps)[:size]


@runtime_checkable
class Target(Protocol):
    """An S3-compatible server reachable over plain HTTP on loopback (or an external URL)."""

    @property
    def name(self) -> str:
        """Short kind name: ``moto``, ``moto-thread``, ``minio`` or ``external``."""
        ...

    @property
    def endpoint_url(self) -> str:
        """Direct URL of the server (the gateway forwards here)."""
        ...

    @property
    def credentials(self) -> Credentials: ...

    def create_bucket(self, name: str) -> None:
        """Create ``name``; creating a bucket that already exists and is ours is not an error."""
        ...

    def delete_bucket(self, name: str) -> None:
        """Delete ``name`` together with all its objects (and versions); missing is not an error."""
        ...

    def reset(self) -> None:
        """Remove all state (every bucket); targets that cannot raise TargetError."""
        ...

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        """Store many objects fast (in the server process where possible); returns the count."""
        ...

    def stop(self) -> None:
        """Release everything (processes, ports, threads). Idempotent."""
        ...
