"""Store-layer behaviour that does not depend on a backend (§6.1, §6.2, §14, IO-15/16/17)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import ClassVar

import pytest

from remote_store import (
    Capability,
    CapabilityNotSupported,
    CapabilitySet,
    InvalidPath,
    NotFound,
    ProxyStore,
    RemotePath,
    Store,
)
from remote_store.backends import MemoryBackend


class ReadOnlyMemory(MemoryBackend):
    CAPABILITIES: ClassVar[CapabilitySet] = CapabilitySet({Capability.READ, Capability.METADATA})


class ClosingMemory(MemoryBackend):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("root", ["", ".", "/", "./"])
def test_root_spellings_mean_the_backend_root(root: str) -> None:
    backend = MemoryBackend()
    assert Store(backend, root) == Store(backend)


def test_root_path_is_normalised() -> None:
    assert repr(Store(MemoryBackend(), "/x//y/")) == "Store(backend='memory', root_path='x/y')"


def test_invalid_root_path_raises() -> None:
    with pytest.raises(InvalidPath):
        Store(MemoryBackend(), "a/../b")


def test_equality_needs_the_same_backend_instance() -> None:
    assert Store(MemoryBackend()) != Store(MemoryBackend())


def test_hash_matches_equality() -> None:
    backend = MemoryBackend()
    assert hash(Store(backend, "a")) == hash(Store(backend, "a/"))


def test_direct_store_owns_its_backend() -> None:
    backend = ClosingMemory()
    with Store(backend):
        pass
    assert backend.closed == 1


def test_child_store_does_not_own_the_backend() -> None:
    backend = ClosingMemory()
    Store(backend).child("a").close()
    assert backend.closed == 0


def test_child_equals_a_directly_built_store() -> None:
    backend = MemoryBackend()
    assert Store(backend, "a").child("b/c") == Store(backend, "a/b/c")


@pytest.mark.parametrize("method", ["list_files", "list_folders", "iter_children"])
def test_listing_gate_fires_at_call_time(method: str) -> None:
    with pytest.raises(CapabilityNotSupported):
        getattr(Store(ReadOnlyMemory()), method)("")


def test_glob_gate_fires_at_call_time() -> None:
    with pytest.raises(CapabilityNotSupported) as caught:
        Store(MemoryBackend()).glob("*")
    assert caught.value.capability == "glob"


def test_negative_max_depth_beats_the_gate() -> None:
    with pytest.raises(ValueError):
        Store(ReadOnlyMemory()).list_files("", max_depth=-1)


def test_write_gate_comes_before_path_validation() -> None:
    with pytest.raises(CapabilityNotSupported):
        Store(ReadOnlyMemory()).write("", b"x")


def test_delete_folder_root_refusal_comes_before_the_gate() -> None:
    with pytest.raises(InvalidPath):
        Store(ReadOnlyMemory()).delete_folder("")


def test_move_gate_comes_first() -> None:
    with pytest.raises(CapabilityNotSupported):
        Store(ReadOnlyMemory()).move("", "")


def test_limited_folder_info_needs_list() -> None:
    with pytest.raises(CapabilityNotSupported):
        Store(ReadOnlyMemory()).get_folder_info("", max_depth=1)


def test_head_works_on_a_read_only_backend() -> None:
    backend = ReadOnlyMemory()
    backend.write("f", b"abc")
    assert Store(backend).head("f").size == 3


def test_errors_from_a_rooted_store_are_store_relative() -> None:
    store = Store(MemoryBackend(), "root")
    with pytest.raises(NotFound) as caught:
        store.read_bytes("nope")
    assert (caught.value.path, caught.value.backend_path) == ("nope", "root/nope")


def test_errors_from_listing_iteration_are_rebased() -> None:
    class Failing(MemoryBackend):
        def list_files(self, path: str, **kw: object) -> Iterator[object]:  # type: ignore[override]
            raise NotFound("gone", path=path, backend="memory")
            yield

    with pytest.raises(NotFound) as caught:
        list(Store(Failing(), "r").list_files("x"))
    assert caught.value.path == "x"


def test_to_key_strips_the_store_root() -> None:
    store = Store(MemoryBackend(), "r")
    assert (store.to_key("r"), store.to_key("r/a/b")) == ("", "a/b")


def test_to_key_outside_the_store_root_raises() -> None:
    with pytest.raises(InvalidPath):
        Store(MemoryBackend(), "r").to_key("other/x")


def test_native_path_joins_the_root() -> None:
    assert Store(MemoryBackend(), "r").native_path("a") == "r/a"


def test_unwrap_is_unsupported_on_memory() -> None:
    with pytest.raises(CapabilityNotSupported) as caught:
        Store(MemoryBackend()).unwrap(dict)
    assert caught.value.capability == "unwrap"


def test_store_logs_calls_at_debug_and_mutations_at_info(caplog: pytest.LogCaptureFixture) -> None:
    store = Store(MemoryBackend())
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        store.write("f", b"x")
        store.exists("f")
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r for r in caplog.records if r.levelno == logging.INFO]
    assert {getattr(r, "op", None) for r in debug} == {"write", "exists"}
    assert [(getattr(r, "op", None), getattr(r, "path", None)) for r in info] == [("write", "f")]
    assert all(getattr(r, "backend", None) == "memory" for r in caplog.records)


def test_rooted_store_root_probes_without_the_folder_existing() -> None:
    store = Store(MemoryBackend(), "not/yet")
    assert (store.exists(""), store.is_folder("."), store.is_file("")) == (True, True, False)


def test_rooted_store_root_folder_info_is_zero_when_absent() -> None:
    info = Store(MemoryBackend(), "absent").get_folder_info("")
    assert (info.path, info.file_count) == (RemotePath.ROOT, 0)


def test_proxy_store_forwards_everything() -> None:
    class Plain(ProxyStore):
        def _wrap_child(self, inner_child: Store) -> Store:
            return Plain(inner_child)

    backend = ClosingMemory()
    inner = Store(backend)
    proxy = Plain(inner)
    proxy.write("a/f", b"x")
    proxy.write_text("a/t", "t")
    proxy.write_atomic("a/g", b"y")
    with proxy.open_atomic("a/h") as stream:
        stream.write(b"z")
    assert proxy.read_bytes("a/f") == b"x" and proxy.read_text("a/t") == "t"
    with proxy.read("a/g") as s1, proxy.read_seekable("a/h") as s2:
        assert (s1.read(), s2.read()) == (b"y", b"z")
    assert proxy.exists("a") and proxy.is_folder("a") and proxy.is_file("a/f")
    assert len(list(proxy.list_files("a"))) == 4 and list(proxy.list_folders("")) != []
    assert len(list(proxy.iter_children("a"))) == 4
    assert proxy.get_file_info("a/f").size == 1 and proxy.get_folder_info("a").file_count == 4
    assert proxy.head("a/f").size == 1
    proxy.copy("a/f", "b/f")
    proxy.move("b/f", "c/f")
    proxy.delete("c/f")
    proxy.delete_folder("c")
    proxy.delete_folder("b")
    assert proxy.child("a").read_bytes("f") == b"x" and isinstance(proxy.child("a"), Plain)
    assert proxy.supports(Capability.READ) and proxy.native_path("a") == "a"
    assert proxy.to_key("a") == "a" and proxy == Plain(inner) and hash(proxy) == hash(inner)
    proxy.ping()
    with pytest.raises(CapabilityNotSupported):
        proxy.glob("*")
    with pytest.raises(CapabilityNotSupported):
        proxy.unwrap(dict)
    assert "Plain(Store(" in repr(proxy)
    proxy.close()
    assert backend.closed == 1


def test_proxy_base_refuses_child_without_override() -> None:
    with pytest.raises(NotImplementedError):
        ProxyStore(Store(MemoryBackend())).child("a")
