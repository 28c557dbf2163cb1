"""The divergence table: every case pattern names a real conformance test, the docs copy is the
generated one, and the lookups answer by target kind."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from remote_store_harness.suites import _divergences as table
from remote_store_harness.suites._divergences import DIVERGENCES, by_id, for_case, for_target

ROOT = Path(__file__).resolve().parents[3]
SUITE = ROOT / "harness" / "remote_store_harness" / "suites" / "conformance"
DOC = ROOT / "docs" / "targets.md"


def _conformance_test_names() -> set[str]:
    names: set[str] = set()
    for path in SUITE.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


@pytest.mark.parametrize("pattern", [p for d in DIVERGENCES for p in d.cases], ids=lambda p: p)
def test_every_case_pattern_matches_a_conformance_test(pattern: str) -> None:
    assert [n for n in _conformance_test_names() if fnmatchcase(n, pattern)]


def test_divergence_ids_are_unique() -> None:
    ids = [d.id for d in DIVERGENCES]
    assert len(ids) == len(set(ids))


def test_docs_targets_holds_the_generated_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- divergences:begin -->\n(.*?)<!-- divergences:end -->", text, re.S)
    assert found is not None
    assert found.group(1) == table.markdown_table()


def test_a_case_is_decided_on_the_affected_target_only() -> None:
    case = "test_user_metadata_is_preserved_on_the_destination[s3-rclone-http-copy]"
    assert for_case(case, "rclone") is by_id("copy-adds-mtime")
    assert for_case(case, "rclone-tls") is by_id("copy-adds-mtime")
    assert for_case(case, "moto") is None


def test_a_divergence_the_harness_corrects_decides_no_case() -> None:
    corrected = [d for d in for_target("moto") if d.corrected_by_harness]
    assert corrected
    assert all(d.cases == () or for_case(d.cases[0], "moto") is not d for d in corrected)
