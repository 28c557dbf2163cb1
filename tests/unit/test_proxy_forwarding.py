"""``ProxyStore`` forwards every public ``Store`` method to its inner store.

The list of methods is read from ``Store`` itself, so a method added to ``Store``
and not forwarded, or a forward deleted from ``ProxyStore``, fails here.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from remote_store import Capability, ProxyStore, Store
from remote_store.backends import MemoryBackend

PUBLIC = sorted(name for name in dir(Store) if not name.startswith("_"))
SENTINEL = object()


class _Recording(Store):
    """An inner store whose every public member records that it was reached."""

    def __init__(self) -> None:
        super().__init__(MemoryBackend())
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []


def _recorder(name: str) -> Any:
    def method(self: _Recording, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((name, args, kwargs))
        return SENTINEL

    return method


for _name in PUBLIC:
    if isinstance(inspect.getattr_static(Store, _name), property):

        def _getter(self: _Recording, _n: str = _name) -> Any:
            self.calls.append((_n, (), {}))
            return SENTINEL

        setattr(_Recording, _name, property(_getter))
    else:
        setattr(_Recording, _name, _recorder(_name))


class _Plain(ProxyStore):
    def _wrap_child(self, inner_child: Store) -> Store:
        return inner_child


def _arguments(name: str) -> list[Any]:
    """One value per required positional parameter of ``Store.<name>``."""
    values = {"type_hint": object, "capability": Capability.READ, "content": b"x"}
    parameters = list(inspect.signature(getattr(Store, name)).parameters.values())[1:]
    return [
        values.get(p.name, "p")
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def test_the_public_store_surface_is_what_this_test_enumerates() -> None:
    assert {"read", "write", "open_atomic", "list_files", "name", "close", "child"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_proxy_forwards_to_the_inner_store(name: str) -> None:
    inner = _Recording()
    proxy = _Plain(inner)
    member = getattr(proxy, name)
    result = member(*_arguments(name)) if callable(member) else member
    assert [call[0] for call in inner.calls] == [name]
    returns_none = callable(member) and inspect.signature(
        getattr(Store, name)
    ).return_annotation in (
        "None",
        None,
    )
    assert result is (None if returns_none else SENTINEL)


def test_proxy_holds_no_store_state_of_its_own() -> None:
    proxy = _Plain(Store(MemoryBackend()))
    assert not hasattr(proxy, "_backend") and not hasattr(proxy, "_root")
    assert isinstance(proxy, Store)
