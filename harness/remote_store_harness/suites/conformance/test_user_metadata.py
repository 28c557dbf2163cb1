"""§8.6 and IO-18: user metadata round trips with lowercased keys (gated on USER_METADATA)."""

from __future__ import annotations

import pytest

from remote_store import Capability, Store

pytestmark = pytest.mark.requires_capability(Capability.USER_METADATA)


def test_metadata_round_trips_through_get_file_info(store: Store) -> None:
    store.write("f.txt", b"x", metadata={"owner": "ops", "tier": "gold"})
    assert store.get_file_info("f.txt").metadata == {"owner": "ops", "tier": "gold"}


def test_write_result_echoes_the_metadata(store: Store) -> None:
    result = store.write("f.txt", b"x", metadata={"owner": "ops"})
    assert dict(result.metadata or {}) == {"owner": "ops"}


def test_metadata_keys_are_lowercased_on_write(store: Store) -> None:
    store.write("f.txt", b"x", metadata={"Mixed-Key": "Value"})
    assert store.get_file_info("f.txt").metadata == {"mixed-key": "Value"}


def test_write_result_echo_carries_lowercased_keys(store: Store) -> None:
    result = store.write("f.txt", b"x", metadata={"Mixed-Key": "Value"})
    assert dict(result.metadata or {}) == {"mixed-key": "Value"}


def test_overwrite_replaces_the_metadata(store: Store) -> None:
    store.write("f.txt", b"x", metadata={"a": "1"})
    store.write("f.txt", b"y", overwrite=True, metadata={"b": "2"})
    assert store.get_file_info("f.txt").metadata == {"b": "2"}


def test_write_atomic_carries_metadata(store: Store) -> None:
    store.write_atomic("f.txt", b"x", metadata={"k": "v"})
    assert store.get_file_info("f.txt").metadata == {"k": "v"}


def test_open_atomic_carries_metadata(store: Store) -> None:
    with store.open_atomic("f.txt", metadata={"k": "v"}) as stream:
        stream.write(b"x")
    assert store.get_file_info("f.txt").metadata == {"k": "v"}


def test_head_reports_the_metadata(store: Store) -> None:
    store.write("f.txt", b"x", metadata={"k": "v"})
    assert dict(store.head("f.txt").metadata or {}) == {"k": "v"}


def test_keys_differing_only_in_case_are_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        store.write("f.txt", b"x", metadata={"k": "1", "K": "2"})


def test_non_ascii_values_are_rejected_before_any_request(store: Store) -> None:
    with pytest.raises(ValueError):
        store.write("f.txt", b"x", metadata={"k": "ünïcode"})
    assert store.exists("f.txt") is False


def test_file_without_metadata_reports_none(store: Store) -> None:
    store.write("f.txt", b"x")
    assert store.get_file_info("f.txt").metadata in (None, {})
