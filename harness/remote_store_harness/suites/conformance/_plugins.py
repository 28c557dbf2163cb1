"""Where the conformance suite finds its backends: one registry, three sources.

1. The plug-ins shipped in this package (:data:`BUILTIN_PLUGINS`: memory, local, S3 on the
   harness topologies).
2. The entry-point group :data:`ENTRY_POINT_GROUP`: a third-party package declares, in its
   ``pyproject.toml``, ``[project.entry-points."remote_store_harness.conformance_backends"]``
   ``mybackend = "mypkg.conformance_plugin"``; the value names a module (or any object) with the
   plug-in attributes (README.md in this folder).
3. The pytest ini option ``conformance_backends`` and the command-line option
   ``--conformance-backend`` (both declared by the harness pytest plugin): a ``*.py`` file path
   (relative to pytest's rootdir) or a dotted module name. The repository uses this for plug-ins
   that need its test helpers (SFTP needs ``tests/sftp/_sshd.py``).

A plug-in that fails to load, declares an unknown trait, or reuses an id is a usage error: a
backend must never silently drop out of a qualification run.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from remote_store import Store

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "INI_OPTION",
    "KNOWN_TRAITS",
    "Plugin",
    "discover",
]

#: The entry-point group a third-party backend package registers its plug-in module under.
ENTRY_POINT_GROUP = "remote_store_harness.conformance_backends"

#: The pytest ini option (line list) naming extra plug-in files or modules.
INI_OPTION = "conformance_backends"

#: Plug-in modules shipped with the suite.
BUILTIN_PLUGINS = tuple(f"{__package__}.backends.{name}" for name in ("memory", "local", "s3"))

#: Traits a plug-in may declare (what each changes: README.md in this folder).
KNOWN_TRAITS = frozenset({"flat_namespace", "terminal_close", "variant"})

MakeStore = Callable[[pytest.FixtureRequest, str], Generator[Store, None, None]]


@dataclass(frozen=True)
class Plugin:
    """One backend id of the suite: how to make its store, its marks, its traits, its origin."""

    backend_id: str
    make_store: MakeStore
    marks: tuple[Any, ...]
    traits: frozenset[str]
    source: str
    note: str = ""


def _load_file(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"_conformance_backend_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"not a Python file: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_spec(spec: str, rootdir: Path) -> Any:
    """A plug-in named by a ``*.py`` path (relative to *rootdir*) or a dotted module name."""
    if spec.endswith(".py"):
        path = Path(spec)
        return _load_file(path if path.is_absolute() else rootdir / path)
    return importlib.import_module(spec)


def _sources(extra: Iterable[str], rootdir: Path) -> Iterator[tuple[str, Any]]:
    for name in BUILTIN_PLUGINS:
        yield name, importlib.import_module(name)
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        label = f"entry point {entry.name!r} ({entry.value})"
        try:
            yield label, entry.load()
        except Exception as exc:
            raise pytest.UsageError(f"conformance backend {label} failed to load: {exc!r}") from exc
    for spec in extra:
        try:
            yield spec, _load_spec(spec, rootdir)
        except Exception as exc:
            raise pytest.UsageError(
                f"conformance backend {spec!r} failed to load: {exc!r}"
            ) from exc


def _plugins_of(source: str, module: Any) -> Iterator[Plugin]:
    ids = getattr(module, "BACKEND_IDS", None)
    make_store = getattr(module, "make_store", None)
    if not ids or not callable(make_store) or isinstance(ids, str):
        raise pytest.UsageError(
            f"conformance backend {source}: needs BACKEND_IDS (a tuple of ids) and make_store"
        )
    raw_traits: Any = getattr(module, "TRAITS", frozenset())
    for backend_id in ids:
        traits = frozenset(
            raw_traits.get(backend_id, frozenset())
            if isinstance(raw_traits, Mapping)
            else raw_traits
        )
        unknown = sorted(traits - KNOWN_TRAITS)
        if unknown:
            raise pytest.UsageError(f"conformance backend {source}: unknown traits {unknown}")
        yield Plugin(
            backend_id=str(backend_id),
            make_store=make_store,
            marks=tuple(getattr(module, "MARKS", ())),
            traits=traits,
            source=source,
            note=str(getattr(module, "NOTE", "")),
        )


def discover(extra: Iterable[str] = (), rootdir: Path | None = None) -> dict[str, Plugin]:
    """Every registered backend id, in order: built-ins, entry points, then *extra* specs."""
    plugins: dict[str, Plugin] = {}
    for source, module in _sources(extra, rootdir or Path.cwd()):
        for plugin in _plugins_of(source, module):
            if plugin.backend_id in plugins:
                first = plugins[plugin.backend_id].source
                raise pytest.UsageError(
                    f"conformance backend id {plugin.backend_id!r} registered twice "
                    f"({first} and {source})"
                )
            plugins[plugin.backend_id] = plugin
    return plugins
