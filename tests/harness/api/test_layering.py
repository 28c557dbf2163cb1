"""The harness's parts import only downward (docs/architecture.md states the layers and why).

Read from the source with :mod:`ast`, so an import inside a function or under ``TYPE_CHECKING``
counts as much as one at the top: a layer violation is a design fact whether or not it runs at
import time. The package ``__init__`` is the façade over every layer and is exempt.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import remote_store_harness

PACKAGE = remote_store_harness.__name__
_FACADE: dict[str, str] = remote_store_harness._WHERE  # public name -> ".module" it lives in
ROOT = Path(remote_store_harness.__file__).parent

#: Rank of each part (a top-level module or a subpackage); a part may import strictly lower ranks.
#: Parts of equal rank are peers and must not import each other.
LAYERS: dict[str, int] = {
    "errors": 0,
    "_lifecycle": 0,
    "_events": 0,
    "observe": 1,
    "endpoint": 1,
    "net": 2,
    "targets": 2,
    "topology": 3,
    "pytest_plugin": 4,
    "probe": 5,
    "suites": 5,
    "report": 6,
    "cli": 7,
}


@dataclass(frozen=True)
class Edge:
    source: str  # part of the importing module
    target: str  # part of the imported module
    where: str  # file:line, for the failure message


def _module_path(file: Path) -> list[str]:
    parts = [PACKAGE, *file.relative_to(ROOT).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported_modules(file: Path) -> list[tuple[str, int]]:
    module = _module_path(file)
    package = module if file.name == "__init__.py" else module[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = [node.module or ""]
            else:
                base = package[: len(package) - node.level + 1] + (
                    [node.module] if node.module else []
                )
            if node.module is None:  # ``from . import x``: x is a module of that package
                found += [(".".join([*base, alias.name]), node.lineno) for alias in node.names]
            elif base == [PACKAGE]:  # a name from the façade: count the module it resolves to
                found += [(f"{PACKAGE}{_FACADE[alias.name]}", node.lineno) for alias in node.names]
            else:
                found.append((".".join(base), node.lineno))
    return found


def _part(dotted: str) -> str | None:
    names = dotted.split(".")
    if names[0] != PACKAGE:
        return None
    return names[1] if len(names) > 1 else ""


def _edges() -> list[Edge]:
    edges: list[Edge] = []
    for file in sorted(ROOT.rglob("*.py")):
        source = _part(".".join(_module_path(file)))
        if not source:  # the package façade
            continue
        for dotted, line in _imported_modules(file):
            target = _part(dotted)
            if target is not None and target != source:
                where = f"{file.relative_to(ROOT.parent)}:{line}"
                edges.append(Edge(source, target, where))
    return edges


def test_every_part_has_a_layer() -> None:
    parts = {_part(".".join(_module_path(file))) for file in ROOT.rglob("*.py")} - {""}
    assert parts == set(LAYERS)


def test_parts_import_only_lower_layers() -> None:
    edges = _edges()
    assert Edge("cli", "topology", "") in {Edge(e.source, e.target, "") for e in edges}
    upward = [
        f"{e.where}: {e.source} (layer {LAYERS[e.source]}) imports {e.target} "
        f"(layer {LAYERS[e.target]})"
        for e in edges
        if LAYERS[e.target] >= LAYERS[e.source]
    ]
    assert upward == []


#: Where the library under test may be imported: what people read (the report and the CLI
#: record its version and use its redaction), and the conformance suite that tests it. Nowhere
#: below: the plugin must stay light and the probe must describe the service, not our library.
_MAY_IMPORT_LIBRARY = ("remote_store_harness/report/", "remote_store_harness/cli/",
                       "remote_store_harness/suites/conformance/")  # fmt: skip


def test_only_the_report_cli_and_shipped_suite_import_the_library_under_test() -> None:
    hits = {
        str(file.relative_to(ROOT.parent))
        for file in sorted(ROOT.rglob("*.py"))
        for dotted, _ in _imported_modules(file)
        if dotted.split(".")[0] == "remote_store"
    }
    assert hits and [hit for hit in hits if not hit.startswith(_MAY_IMPORT_LIBRARY)] == []
