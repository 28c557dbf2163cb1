"""The contract every S3 target fulfils, and the errors targets raise.

A target is the S3-speaking server at the far end of a topology. A server the harness runs speaks
plain HTTP on loopback, path-style, without proxy or CA; the gateway sits in front of it and TLS,
proxies, logging and faults are the topology's business. An endpoint the harness does not run may
need its own CA, proxy or addressing: :attr:`Target.endpoint` carries them, and the topology
routes by it (see :mod:`remote_store_harness.topology`). Targets manage buckets themselves (not
through the gateway) so that fixture set-up and tear-down never appear in a test's request log.

A new kind of server the harness runs subclasses :class:`LoopbackTarget` (it supplies the
routing defaults) and implements ``start``/``stop``, ``endpoint_url``, ``credentials`` and the
bucket methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from .._lifecycle import StartStop
from ..endpoint import Credentials, Endpoint
from ..errors import TargetError, TargetStartError, TargetUnavailable

__all__ = [
    "Credentials",
    "LoopbackTarget",
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

    @property
    def endpoint(self) -> Endpoint:
        """How a client reaches the server directly: ``endpoint_url`` and ``credentials``, plus
        the CA, proxy and addressing it needs (none, none and path for a loopback server)."""
        ...

    @property
    def fixed_bucket(self) -> str | None:
        """The one bucket tests must use instead of creating fresh ones (None: create them)."""
        ...

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


class LoopbackTarget(StartStop):
    """Base of the servers the harness runs: plain HTTP on loopback, path-style, no proxy, no
    CA, fresh buckets per test. Subclasses provide ``endpoint_url`` and ``credentials``."""

    fixed_bucket: str | None = None

    @property
    def endpoint_url(self) -> str:
        raise NotImplementedError

    @property
    def credentials(self) -> Credentials:
        raise NotImplementedError

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.endpoint_url, self.credentials)
