"""§3, §4, §5: error strings, model semantics, capability sets."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError

import pytest

from remote_store import (
    Capability,
    CapabilityNotSupported,
    CapabilitySet,
    ContentDigest,
    FileInfo,
    FolderEntry,
    FolderInfo,
    NotFound,
    PathEntry,
    RemotePath,
    RemoteStoreError,
    WriteResult,
)
from remote_store._models import UNKNOWN_TIME


def test_error_str_includes_path_and_backend() -> None:
    assert str(NotFound("gone", path="a", backend="memory")) == "gone | path='a' | backend='memory'"


def test_error_repr() -> None:
    assert repr(NotFound("gone", path="a")) == "NotFound('gone', path='a')"


def test_capability_error_mentions_capability() -> None:
    e = CapabilityNotSupported("no", capability="glob")
    assert str(e) == "no | capability='glob'" and repr(e).endswith("capability='glob')")


def test_errors_are_flat_subclasses_of_the_base() -> None:
    assert NotFound.__bases__ == (RemoteStoreError,)


def test_errors_pickle_with_attributes() -> None:
    e = pickle.loads(pickle.dumps(CapabilityNotSupported("x", path="p", capability="read")))
    assert (e.path, e.capability) == ("p", "read")


def test_file_info_equality_is_by_path() -> None:
    a = FileInfo(RemotePath("a"), "a", 1, UNKNOWN_TIME)
    b = FileInfo(RemotePath("a"), "a", 2, UNKNOWN_TIME)
    assert a == b and hash(a) == hash(b)


def test_models_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        FolderEntry(RemotePath("a"), "a").name = "b"  # type: ignore[misc]


def test_folder_info_name_is_a_property() -> None:
    assert FolderInfo(RemotePath("a/b"), 0, 0).name == "b"


def test_models_satisfy_path_entry() -> None:
    assert isinstance(FolderEntry(RemotePath("a"), "a"), PathEntry)


def test_write_result_with_dict_metadata_is_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(WriteResult(RemotePath("a"), 1, metadata={"k": "v"}))


def test_content_digest_normalises_and_validates() -> None:
    assert ContentDigest(" MD5 ", " ABCD ") == ContentDigest("md5", "abcd")
    with pytest.raises(ValueError):
        ContentDigest("md5", "0xzz")


def test_capability_set_require_raises_named_error() -> None:
    caps = CapabilitySet({Capability.READ})
    with pytest.raises(CapabilityNotSupported) as caught:
        caps.require(Capability.WRITE, backend="memory")
    assert (caught.value.capability, caught.value.backend) == ("write", "memory")


def test_capability_set_all_except() -> None:
    caps = CapabilitySet.all_except(Capability.GLOB)
    assert Capability.GLOB not in caps and len(caps) == len(Capability) - 1
