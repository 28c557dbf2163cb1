"""§7.7-7.8 with IO-11 and IO-23: the Registry validates early and shares backends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from remote_store import (
    BackendConfig,
    BackendUnavailable,
    Registry,
    RegistryConfig,
    RetryPolicy,
    StoreProfile,
    register_backend,
)
from remote_store.backends import MemoryBackend


def config(**backends: BackendConfig) -> RegistryConfig:
    return RegistryConfig(
        backends=backends, stores={name: StoreProfile(backend=name) for name in backends}
    )


def test_unknown_backend_type_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="Unknown backend type 'nope' for backend 'x'"):
        Registry(config(x=BackendConfig(type="nope")))


def test_unknown_option_fails_at_construction_naming_it() -> None:
    with pytest.raises(ValueError, match=r"Invalid options for backend 'm'.*\['colour'\]"):
        Registry(config(m=BackendConfig(type="memory", options={"colour": "red"})))


def test_missing_required_option_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="backend 'd'"):
        Registry(config(d=BackendConfig(type="local")))


def test_retry_on_a_backend_without_retry_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="retry"):
        Registry(config(m=BackendConfig(type="memory", retry=RetryPolicy())))


def test_store_pointing_at_a_missing_backend_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="Store 's' references unknown backend 'b'"):
        Registry(RegistryConfig(stores={"s": StoreProfile(backend="b")}))


def test_unknown_store_raises_key_error() -> None:
    with pytest.raises(KeyError, match="Unknown store 'x'"):
        Registry().get_store("x")


def test_stores_share_one_backend_instance() -> None:
    cfg = RegistryConfig(
        backends={"m": BackendConfig(type="memory")},
        stores={"a": StoreProfile(backend="m"), "b": StoreProfile(backend="m", root_path="sub")},
    )
    with Registry(cfg) as registry:
        registry.get_store("a").write("sub/f.txt", b"x")
        assert registry.get_store("b").read_bytes("f.txt") == b"x"


def test_repeated_get_store_returns_equal_stores() -> None:
    with Registry(config(m=BackendConfig(type="memory"))) as registry:
        assert registry.get_store("m") == registry.get_store("m")


def test_registry_stores_do_not_own_the_backend(tmp_path: Path) -> None:
    cfg = config(d=BackendConfig(type="local", options={"root": str(tmp_path)}))
    with Registry(cfg) as registry:
        store = registry.get_store("d")
        store.write("f", b"x")
        store.close()
        assert registry.get_store("d").read_bytes("f") == b"x"


def test_get_store_after_close_raises() -> None:
    registry = Registry(config(m=BackendConfig(type="memory")))
    registry.close()
    with pytest.raises(BackendUnavailable):
        registry.get_store("m")


def test_close_closes_every_backend_and_reraises_the_first_error() -> None:
    closed: list[str] = []

    class Failing(MemoryBackend):
        def close(self) -> None:
            closed.append("x")
            raise RuntimeError("boom")

    register_backend("failing-test", Failing)
    cfg = RegistryConfig(
        backends={"a": BackendConfig(type="failing-test"), "b": BackendConfig(type="failing-test")},
        stores={"a": StoreProfile(backend="a"), "b": StoreProfile(backend="b")},
    )
    registry = Registry(cfg)
    registry.get_store("a")
    registry.get_store("b")
    with pytest.raises(RuntimeError, match="boom"):
        registry.close()
    assert closed == ["x", "x"]


def test_concurrent_first_get_store_builds_one_backend() -> None:
    built: list[int] = []

    class Counting(MemoryBackend):
        def __init__(self) -> None:
            super().__init__()
            built.append(1)

    register_backend("counting-test", Counting)
    registry = Registry(config(c=BackendConfig(type="counting-test")))
    threads = [threading.Thread(target=registry.get_store, args=("c",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1


def test_user_registration_wins_over_builtin() -> None:
    class Custom(MemoryBackend):
        pass

    register_backend("memory", Custom)
    try:
        with Registry(config(m=BackendConfig(type="memory"))) as registry:
            assert isinstance(registry.get_store("m")._backend, Custom)
    finally:
        register_backend("memory", MemoryBackend)


def test_repr_and_equality() -> None:
    cfg = config(m=BackendConfig(type="memory"))
    assert repr(Registry(cfg)) == "Registry(stores=['m'])" and Registry(cfg) == Registry(cfg)
