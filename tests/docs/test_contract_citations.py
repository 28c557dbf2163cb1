"""Every rule the code cites exists in ``docs/contract.md``, and no comment cites a missing file.

Comments, docstrings and test names cite the contract by rule id (``R-WRITE-ORDER``), by
improvement id (``IO-16``) and by section (``§8.9``). A citation of a rule the document does not
define is a broken promise, so this test reads every source, test and benchmark file and checks
each citation against the document's own definitions.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "contract.md"
SCANNED = ("src", "harness", "tests", "benchmarks", "docs")
SUFFIXES = {".py", ".md"}

_RULE = re.compile(r"\bR-[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*\b")
_IO = re.compile(r"\bIO-(\d+)((?:/\d+)*)")
_SECTION = re.compile(r"§ ?(\d+(?:\.\d+)*)(?:-(\d+(?:\.\d+)*))?")
_DOC_REF = re.compile(r"\bdocs/[A-Za-z0-9_/.-]+\.md\b")


def _scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and path != CONTRACT:
                files.append(path)
    return files


def _citations() -> dict[str, set[str]]:
    """Map each cited id (``R-...``, ``IO-n``, ``§n``) to the files citing it."""
    cited: dict[str, set[str]] = {}

    def add(cid: str, path: Path) -> None:
        cited.setdefault(cid, set()).add(str(path.relative_to(REPO)))

    for path in _scanned_files():
        text = path.read_text(encoding="utf-8")
        for m in _RULE.finditer(text):
            add(m.group(0), path)
        for m in _IO.finditer(text):
            for number in [m.group(1), *filter(None, m.group(2).split("/"))]:
                add(f"IO-{number}", path)
        for m in _SECTION.finditer(text):
            for number in filter(None, m.groups()):
                add(f"§{number}", path)
    return cited


def _defined() -> set[str]:
    """Ids the contract defines: bold rule/IO entries, numbered headings (``§7.3-7.4`` both)."""
    text = CONTRACT.read_text(encoding="utf-8")
    ids = set(re.findall(r"\*\*((?:R|IO)-[A-Z0-9-]+)\*\*", text))
    ids |= {f"§{n}" for n in re.findall(r"^#+ §(\d+(?:\.\d+)*)", text, flags=re.M)}
    ids |= {f"§{n}" for n in re.findall(r"\*\*§(\d+(?:\.\d+)*)", text)}
    for head, first, last in re.findall(r"(?:^#+ |\*\*)§(\d+)\.(\d+)-\d+\.(\d+)", text, flags=re.M):
        ids |= {f"§{head}.{n}" for n in range(int(first), int(last) + 1)}
    return ids


def test_the_contract_defines_the_rule_families_the_code_relies_on() -> None:
    defined = _defined()

    assert {"R-WRITE-ORDER", "R-ROOT-1", "R-ROOT-5", "R-MAP", "IO-1", "IO-24"} <= defined
    assert {"§3.2", "§8.3", "§8.9", "§15.2"} <= defined


def test_every_cited_rule_section_and_improvement_exists_in_the_contract() -> None:
    defined = _defined()
    cited = _citations()

    missing = {cid: sorted(files) for cid, files in cited.items() if cid not in defined}

    assert cited, "the scan found no citations at all: the scanner is broken"
    assert missing == {}


def test_no_file_cites_the_contract_by_a_name_outside_the_repository() -> None:
    outside_names = ("CONTRACT.md", "anchor spec", "S3-EMULATION-FACTS", "seed page")
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path in _scanned_files()
        if path != Path(__file__).resolve()
        for name in outside_names
        if name in path.read_text(encoding="utf-8")
    ]

    assert offenders == []


def test_every_cited_docs_file_exists() -> None:
    roots = [*_scanned_files(), REPO / "README.md"]
    missing = sorted(
        {
            f"{path.relative_to(REPO)} -> {ref}"
            for path in roots
            for ref in _DOC_REF.findall(path.read_text(encoding="utf-8"))
            if not (REPO / ref).is_file()
        }
    )

    assert missing == []
