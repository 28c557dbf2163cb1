"""Wrong argument types fail early and typed; a missing extra says what to install."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from remote_store import BackendConfig, Registry, RegistryConfig, Store, StoreProfile
from remote_store.backends import LocalBackend, MemoryBackend


@pytest.fixture(params=["memory", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    backend = MemoryBackend() if request.param == "memory" else LocalBackend(str(tmp_path))
    return Store(backend)


@pytest.mark.parametrize("content", ["a str", io.StringIO("text"), 42, None])
def test_write_refuses_non_binary_content_before_any_side_effect(
    store: Store, content: object
) -> None:
    with pytest.raises(TypeError, match="content must be bytes"):
        store.write("f.txt", content)  # type: ignore[arg-type]
    assert not store.exists("f.txt")


@pytest.mark.parametrize("backend_kind", ["memory", "local"])
def test_backend_write_atomic_refuses_a_str_directly(backend_kind: str, tmp_path: Path) -> None:
    backend = MemoryBackend() if backend_kind == "memory" else LocalBackend(str(tmp_path))
    with pytest.raises(TypeError, match="content must be bytes"):
        backend.write_atomic("f.txt", "a str")  # type: ignore[arg-type]
    assert not backend.exists("f.txt")


def test_write_text_refuses_bytes_naming_the_argument(store: Store) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        store.write_text("f.txt", b"bytes")  # type: ignore[arg-type]
    assert not store.exists("f.txt")


def test_an_invalid_glob_class_range_is_a_value_error(tmp_path: Path) -> None:
    store = Store(LocalBackend(str(tmp_path)))  # memory does not declare GLOB
    with pytest.raises(ValueError, match=r"invalid glob pattern '\[z-a\]'"):
        list(store.glob("[z-a]"))


def test_a_non_str_glob_pattern_is_a_type_error_naming_it(store: Store) -> None:
    with pytest.raises(TypeError, match="pattern must be a str"):
        list(store.glob(5))  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["list_files", "list_folders"])
def test_a_non_str_listing_pattern_is_a_type_error_naming_it(store: Store, method: str) -> None:
    with pytest.raises(TypeError, match="pattern must be a str"):
        list(getattr(store, method)("", pattern=5))


def test_a_non_str_to_key_argument_is_a_type_error(store: Store) -> None:
    with pytest.raises(TypeError, match="path must be a str"):
        store.to_key(5)  # type: ignore[arg-type]


def _without_the_s3_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import remote_store.backends as backends

    monkeypatch.setattr(backends, "_installed", lambda package: package != "s3fs")
    monkeypatch.delitem(vars(backends), "S3Backend", raising=False)
    for name in [m for m in sys.modules if m.startswith("remote_store.backends.s3")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "s3fs", None)  # import s3fs -> ImportError


def test_importing_s3backend_without_the_extra_names_the_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_the_s3_extra(monkeypatch)
    with pytest.raises(ImportError, match=r"pip install 'remote-store-s3kit\[s3\]'"):
        from remote_store.backends import S3Backend  # noqa: F401


def test_a_registry_of_type_s3_without_the_extra_names_the_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import remote_store._registry as registry_module

    _without_the_s3_extra(monkeypatch)
    monkeypatch.delitem(registry_module._BACKEND_TYPES, "s3", raising=False)
    cfg = RegistryConfig(
        backends={"b": BackendConfig(type="s3", options={"bucket": "x"})},
        stores={"s": StoreProfile(backend="b")},
    )
    with pytest.raises(ValueError, match=r"'s3'.*pip install 'remote-store-s3kit\[s3\]'"):
        Registry(cfg)
