"""What a backend can do, declared up front so the Store can refuse before any I/O."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

from ._errors import CapabilityNotSupported

__all__ = ["Capability", "CapabilitySet"]


class Capability(enum.Enum):
    """Gates (the Store refuses the operation without them) and quality flags (promises)."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    LIST = "list"
    GLOB = "glob"
    MOVE = "move"
    COPY = "copy"
    ATOMIC_WRITE = "atomic_write"
    ATOMIC_MOVE = "atomic_move"
    METADATA = "metadata"
    USER_METADATA = "user_metadata"
    SEEKABLE_READ = "seekable_read"
    LAZY_READ = "lazy_read"
    WRITE_RESULT_NATIVE = "write_result_native"


class CapabilitySet:
    """An immutable set of capabilities with a ``require`` that raises the typed error."""

    __slots__ = ("_caps",)

    _caps: frozenset[Capability]

    def __init__(self, capabilities: Iterable[Capability]) -> None:
        object.__setattr__(self, "_caps", frozenset(capabilities))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("CapabilitySet is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("CapabilitySet is immutable")

    def supports(self, capability: Capability) -> bool:
        return capability in self._caps

    def require(self, capability: Capability, *, backend: str = "") -> None:
        """Raise ``CapabilityNotSupported`` unless ``capability`` is in the set."""
        if capability not in self._caps:
            supported = sorted(c.value for c in self._caps)
            raise CapabilityNotSupported(
                f"Capability '{capability.value}' is not supported. Supported: {supported}",
                backend=backend or None,
                capability=capability.value,
            )

    def __contains__(self, item: object) -> bool:
        return item in self._caps

    def __iter__(self) -> Iterator[Capability]:
        return iter(sorted(self._caps, key=lambda c: c.name))

    def __len__(self) -> int:
        return len(self._caps)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CapabilitySet):
            return NotImplemented
        return self._caps == other._caps

    def __hash__(self) -> int:
        return hash(self._caps)

    def __repr__(self) -> str:
        names = ", ".join(c.name for c in self)
        return f"CapabilitySet({{{names}}})"

    @classmethod
    def all_except(cls, *excluded: Capability) -> CapabilitySet:
        return cls(c for c in Capability if c not in excluded)
