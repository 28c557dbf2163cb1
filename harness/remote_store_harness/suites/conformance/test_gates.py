"""Capability gates: a missing capability is refused before any I/O, naming the capability."""

from __future__ import annotations

import pytest

from remote_store import Capability, CapabilityNotSupported, Store


def test_glob_without_the_capability_raises_at_call_time(store: Store) -> None:
    if store.supports(Capability.GLOB):
        pytest.skip("backend has capability 'glob'")
    with pytest.raises(CapabilityNotSupported) as caught:
        store.glob("*")
    assert caught.value.capability == "glob"


def test_metadata_on_a_backend_without_user_metadata_is_refused(store: Store) -> None:
    if store.supports(Capability.USER_METADATA):
        pytest.skip("backend has capability 'user_metadata'")
    with pytest.raises(CapabilityNotSupported):
        store.write("f.txt", b"x", metadata={"k": "v"})
    assert store.exists("f.txt") is False


def test_core_capabilities_are_declared(store: Store) -> None:
    core = [Capability.READ, Capability.WRITE, Capability.DELETE, Capability.LIST]
    assert all(store.supports(c) for c in core)


def test_metadata_capability_is_declared(store: Store) -> None:
    assert store.supports(Capability.METADATA)
