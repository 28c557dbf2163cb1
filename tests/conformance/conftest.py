"""The conformance suite's backend registry.

Each ``backends/<name>.py`` plug-in (see tests/conformance/README.md) declares
``BACKEND_IDS`` and a ``make_store(request, backend_id)`` generator yielding a
fresh, empty ``Store``; optional ``MARKS``, ``TRAITS`` and ``NOTE``. Every test
that uses the ``store`` fixture runs once per registered id.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remote_store import Capability, Store

_PLUGIN_DIR = Path(__file__).parent / "backends"
KNOWN_TRAITS = frozenset({"flat_namespace", "terminal_close"})


@dataclass(frozen=True)
class _Plugin:
    backend_id: str
    make_store: Callable[[pytest.FixtureRequest, str], Iterator[Store]]
    marks: tuple[Any, ...]
    traits: frozenset[str]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_conformance_backend_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _discover() -> list[_Plugin]:
    plugins: list[_Plugin] = []
    for path in sorted(_PLUGIN_DIR.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = _load(path)
        raw_traits = getattr(module, "TRAITS", frozenset())
        for backend_id in module.BACKEND_IDS:
            traits = (
                raw_traits.get(backend_id, frozenset())
                if isinstance(raw_traits, Mapping)
                else raw_traits
            )
            unknown = set(traits) - KNOWN_TRAITS
            if unknown:
                raise ValueError(f"{path.name}: unknown traits {sorted(unknown)}")
            plugins.append(
                _Plugin(
                    backend_id=backend_id,
                    make_store=module.make_store,
                    marks=tuple(getattr(module, "MARKS", ())),
                    traits=frozenset(traits),
                )
            )
    ids = [p.backend_id for p in plugins]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"conformance backend ids registered twice: {duplicates}")
    return plugins


PLUGINS = {plugin.backend_id: plugin for plugin in _discover()}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires_capability(*caps): skip unless the backend supports every capability"
    )
    config.addinivalue_line(
        "markers", "requires_hierarchy: skip on flat-namespace backends (R-WRITE-FLAT)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_id" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend_id",
            [pytest.param(p.backend_id, marks=p.marks, id=p.backend_id) for p in PLUGINS.values()],
        )


@pytest.fixture
def traits(backend_id: str) -> frozenset[str]:
    return PLUGINS[backend_id].traits


@pytest.fixture
def store(
    request: pytest.FixtureRequest, backend_id: str, traits: frozenset[str]
) -> Iterator[Store]:
    if request.node.get_closest_marker("requires_hierarchy") and "flat_namespace" in traits:
        pytest.skip("flat namespace (R-WRITE-FLAT): folders exist only while they hold files")
    generator = PLUGINS[backend_id].make_store(request, backend_id)
    made = next(generator)
    for marker in request.node.iter_markers("requires_capability"):
        for capability in marker.args:
            assert isinstance(capability, Capability)
            if not made.supports(capability):
                generator.close()
                pytest.skip(f"backend lacks capability '{capability.value}'")
    yield made
    try:
        next(generator)
    except StopIteration:
        pass
    else:
        raise RuntimeError(f"make_store for {backend_id!r} yielded more than once")
