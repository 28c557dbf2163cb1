"""Write the run's report: ``results.json`` (everything), ``report.md`` and ``report.html``.

The report is built once as a :mod:`._document` ``Document`` and rendered twice: ``report.md``
(charts as PNG files next to it) and ``report.html`` (self-contained: inline CSS, charts embedded
as base64 PNG rendered with matplotlib's Agg backend, every text escaped), so both say the same.
The console summary (:func:`summary_text`) renders the same summary blocks as plain text. When
matplotlib is not installed the reports are written without charts and say so. Every case is in
``results.json``; the documents list the cases that did not pass and the skip reasons.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remote_store._redact import redact_text

from .._events import format_duration
from ..errors import BenchDataError
from ..probe._run import ProbeReport
from ..suites._runner import SuiteResult
from ._bench_data import parse_run
from ._bench_report import bench_blocks, chart_images
from ._document import (
    Block,
    Bullets,
    Code,
    Document,
    Heading,
    Image,
    Line,
    Mono,
    Paragraph,
    Strong,
    Table,
    to_html,
    to_markdown,
    to_text,
)

__all__ = [
    "VERSIONED_DISTRIBUTIONS",
    "RunRecord",
    "collect_versions",
    "recommendations_text",
    "summary_text",
    "write_report",
]

#: Distributions whose versions every report carries ("not installed" when absent).
VERSIONED_DISTRIBUTIONS = (
    "remote-store-s3kit",
    "boto3",
    "botocore",
    "aiobotocore",
    "s3fs",
    "fsspec",
    "aiohttp",
    "urllib3",
    "moto",
    "werkzeug",
    "trustme",
    "cryptography",
    "paramiko",
    "pytest",
    "pytest-benchmark",
    "matplotlib",
)

_OUTCOME_ORDER = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def collect_versions() -> dict[str, str]:
    """Python, platform and the version of every distribution involved in a run."""
    from importlib import metadata

    versions = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    for name in VERSIONED_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        import remote_store

        versions["remote_store.__version__"] = str(remote_store.__version__)
    except Exception:  # the probe must work even where the core does not import
        versions["remote_store.__version__"] = "not importable"
    return versions


@dataclass
class RunRecord:
    """Everything one ``remote-store-harness run`` did, in the order it happened."""

    command: list[str]
    started_at: str
    mode: str  # "embedded" or "external"
    quick: bool
    suites: list[SuiteResult] = field(default_factory=list)
    probes: list[ProbeReport] = field(default_factory=list)
    wall_seconds: float = 0.0
    status: str = "passed"
    notes: list[str] = field(default_factory=list)
    scenario_matrix: Any = None
    bench: Any = None
    versions: dict[str, str] = field(default_factory=dict)
    target: dict[str, Any] | None = None
    #: The ``suites._verdict.Verdict`` behind ``status`` (None while the run is in progress).
    verdict: Any = None
    #: How the conformance suite was configured against --endpoint (recommended or as given).
    conformance_options: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "remote-store-harness-run/1",
            "command": self.command,
            "command_line": _command_line(self.command),
            "started_at": self.started_at,
            "wall_seconds": round(self.wall_seconds, 3),
            "mode": self.mode,
            "quick": self.quick,
            "status": self.status,
            "verdict": self.verdict.to_json() if self.verdict is not None else None,
            "conformance_options": self.conformance_options,
            "target": self.target,
            "versions": self.versions,
            "notes": self.notes,
            "suites": [suite.to_json() for suite in self.suites],
            "probes": [probe.to_json() for probe in self.probes],
            "scenario_matrix": self.scenario_matrix,
            "bench": self.bench,
        }


def _command_line(argv: Sequence[str]) -> str:
    import shlex

    return shlex.join(argv)


# --- tables ---------------------------------------------------------------------------------


def _suite_rows(record: RunRecord) -> list[list[str]]:
    rows = []
    for suite in record.suites:
        counts = suite.counts
        other = sum(
            n for k, n in counts.items() if k not in ("passed", "failed", "error", "skipped")
        )
        rows.append([
            suite.name, suite.status, str(counts["passed"]), str(counts["failed"]),
            str(counts["error"]), str(counts["skipped"]), str(other),
            format_duration(suite.seconds, clock=True),
        ])  # fmt: skip
    for probe in record.probes:
        # Columns for a probe: Passed = answered yes (safe), Failed = a finding that breaks a
        # remote_store default, Errors = a check that could not run, Skipped = not applicable,
        # Other = facts and caveats (info/warn).
        tally = {"passed": 0, "failed": 0, "error": 0, "skipped": 0, "other": 0}
        for row in probe.rows:
            if row.verdict == "error":
                tally["error"] += 1
            elif row.level == "fail":
                tally["failed"] += 1
            elif row.verdict == "n/a":
                tally["skipped"] += 1
            elif row.verdict == "yes" and row.level in ("ok", "info"):
                tally["passed"] += 1
            else:
                tally["other"] += 1
        status = "findings" if tally["failed"] or tally["error"] else "passed"
        rows.append([
            f"probe {probe.target.label}", "interrupted" if probe.interrupted else status,
            *(str(tally[k]) for k in ("passed", "failed", "error", "skipped", "other")),
            format_duration(probe.seconds, clock=True),
        ])  # fmt: skip
    return rows


_SUITE_HEADER = ["Suite", "Result", "Passed", "Failed", "Errors", "Skipped", "Other", "Time"]

#: What each summary column counts (shown under the table in every rendering).
SUMMARY_LEGEND = (
    "Columns: Passed/Failed/Errors/Skipped count pytest cases (Errors: a fixture or teardown "
    "broke; Skipped: not applicable, with the reason in the suite section); Other counts "
    "xfailed + xpassed cases (expected failures of known server divergences, and ones that "
    "unexpectedly passed). For a probe row: Passed = answered yes, Failed = a finding that "
    "breaks a remote_store default, Errors = a check that could not run, Skipped = n/a, "
    "Other = facts and caveats (info/warn). Time is wall time (mm:ss)."
)


def verdict_lines(record: RunRecord) -> list[str]:
    """The verdict's explanation, divergences first: one plain-text line each."""
    verdict = record.verdict
    if verdict is None:
        return []
    lines: list[str] = []
    for item in verdict.divergences:
        d = item.divergence
        lines.append(
            f"server divergence {d.id} (probe {item.probe_row.check}: {item.probe_row.answer}): "
            f"{item.nodeid} -- {d.behaviour}; remote_store: {d.consequence}"
        )
    for item in verdict.predicted_but_passed:
        lines.append(
            f"predicted to fail by probe {item.probe_row.check} ({item.divergence.id}) but "
            f"passed: {item.nodeid}"
        )
    lines += [f"failed: {reason}" for reason in verdict.reasons]
    return lines


def _probe_matrix(record: RunRecord) -> tuple[list[str], list[list[str]]]:
    """Questions down, probed targets across; each cell "VERDICT: answer"."""
    header = ["Question"] + [probe.target.label for probe in record.probes]
    questions: dict[str, str] = {}
    for probe in record.probes:
        for row in probe.rows:
            questions.setdefault(row.check, row.question)
    rows = []
    for check, question in questions.items():
        line = [question]
        for probe in record.probes:
            found = next((r for r in probe.rows if r.check == check), None)
            line.append("-" if found is None else f"{found.verdict.upper()}: {found.answer}")
        rows.append(line)
    return header, rows


def _summary_table(record: RunRecord) -> Table:
    return Table(_SUITE_HEADER, _suite_rows(record))


def _probe_matrix_table(record: RunRecord) -> Table:
    header, rows = _probe_matrix(record)
    return Table(header, rows, text_width=48)


def _run_line(record: RunRecord) -> str:
    return (
        f"Run {record.status.upper()} in {format_duration(record.wall_seconds, clock=True)} "
        f"({format_duration(record.wall_seconds)})"
    )


def summary_text(record: RunRecord) -> str:
    """The terminal summary: suite table, probe matrix, legend, verdict, run status and time."""
    doc = Document("summary", [_summary_table(record)])
    if record.probes:
        doc.add(_probe_matrix_table(record))
    doc.add(Paragraph(SUMMARY_LEGEND))
    explained = verdict_lines(record)
    if explained:
        doc.add(Paragraph("\n".join(explained)))
    doc.add(Paragraph(_run_line(record)))
    return to_text(doc, title=False)


def _matrix_tables(matrix: Any) -> tuple[list[list[str]], list[list[str]]]:
    """(per-scenario counts, every case) of a scenario matrix; empty when it has no such shape."""
    if not isinstance(matrix, dict):
        return [], []
    scenarios = matrix.get("scenarios")
    per_scenario = []
    if isinstance(scenarios, dict):
        for name, counts in scenarios.items():
            if isinstance(counts, dict):
                per_scenario.append([
                    str(name), str(counts.get("cases", "")), str(counts.get("passed", 0)),
                    str(counts.get("failed", 0) + counts.get("error", 0)),
                    str(counts.get("skipped", 0)),
                ])  # fmt: skip
    cases = []
    for case in matrix.get("cases", []) if isinstance(matrix.get("cases"), list) else []:
        if isinstance(case, dict):
            cases.append([
                str(case.get("scenario", "")), str(case.get("case", "")),
                str(case.get("outcome", "")), str(case.get("expected") or ""),
                str(case.get("observed") or case.get("message") or ""),
            ])  # fmt: skip
    return per_scenario, cases


_MATRIX_HEADER = ["Scenario", "Cases", "Passed", "Failed", "Skipped"]
_CASE_HEADER = ["Scenario", "Case", "Outcome", "Expected", "Observed"]


# --- charts ---------------------------------------------------------------------------------


def _charts(record: RunRecord) -> list[Image]:
    """The run's own charts (suite outcomes, probe latency) that have data; empty when
    matplotlib is missing. The benchmark charts come with the benchmark section."""
    from ._bench_charts import charts_available, png, pyplot

    if not charts_available():
        return []
    plt = pyplot()
    charts: list[Image] = []
    if record.suites:
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * len(record.suites)))
        colours = {"passed": "#2e7d32", "failed": "#c62828", "error": "#6a1b9a",
                   "skipped": "#9e9e9e", "xfailed": "#f9a825", "xpassed": "#ef6c00"}  # fmt: skip
        names = [suite.name for suite in record.suites]
        left = [0] * len(names)
        for outcome in _OUTCOME_ORDER:
            values = [suite.counts[outcome] for suite in record.suites]
            if any(values):
                ax.barh(names, values, left=left, color=colours[outcome], label=outcome)
                left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_xlabel("cases")
        ax.invert_yaxis()
        ax.legend(loc="lower right", fontsize=8)
        charts.append(Image("Suite outcomes", "chart-suites.png", png(fig, dpi=90)))

    samples = [
        (probe.target.label, row.data.get("samples_ms", []))
        for probe in record.probes
        for row in probe.rows
        if row.check == "latency" and row.data.get("samples_ms")
    ]
    if samples:
        fig, ax = plt.subplots(figsize=(8, 0.8 + 0.6 * len(samples)))
        for index, (_name, values) in enumerate(samples):
            ax.scatter(values, [index] * len(values), s=14, alpha=0.6, color="#1565c0")
            ax.plot([sorted(values)[len(values) // 2]] * 2, [index - 0.3, index + 0.3], color="k")
        ax.set_yticks(range(len(samples)), [name for name, _ in samples])
        ax.set_ylim(-0.5, len(samples) - 0.5)
        ax.set_xlabel("HeadObject round trip (ms); bar = median")
        charts.append(Image("Probe round-trip latency", "chart-latency.png", png(fig, dpi=90)))
    return charts


# --- the document ---------------------------------------------------------------------------

_LEVEL_CLASS = {"ok": "ok", "info": "info", "warn": "warn", "fail": "fail"}


def _outcome_class(outcome: str) -> str:
    return {"passed": "ok", "skipped": "info", "xfailed": "info"}.get(outcome, "fail")


def _recommendation_blocks(probe: ProbeReport) -> list[Block]:
    """The recommended configuration (YAML and Python), why, and what each NO answer means."""
    recommendation = probe.recommendation
    if recommendation is None:
        return []
    blocks: list[Block] = [
        Paragraph(["Recommended configuration (YAML, load with ", Mono("resolve_env_vars=True"),
                   "):"]),
        Code(recommendation.yaml(), "yaml"),
        Paragraph("Python:"),
        Code(recommendation.python(), "python"),
    ]  # fmt: skip
    if recommendation.notes:
        blocks.append(Bullets(recommendation.notes))
    if recommendation.consequences:
        blocks.append(Paragraph("What the NO answers mean for remote_store:"))
        blocks.append(Bullets(recommendation.consequences))
    return blocks


def recommendations_text(record: RunRecord) -> str:
    """The console's recommendation of each probed target: the report's blocks, as plain text
    (code verbatim, so it can be copied)."""
    doc = Document("recommendations")
    for probe in record.probes:
        blocks = _recommendation_blocks(probe)
        if blocks:
            doc.add(Heading(3, f"Recommended remote_store config for {probe.target.label}"))
            doc.extend(blocks)
    return to_text(doc, title=False) + "\n" if doc.blocks else ""


def _probe_blocks(probe: ProbeReport) -> list[Block]:
    blocks: list[Block] = [
        Heading(3, f"Probe of {probe.target.label}"),
        Paragraph(["Target: ", Mono(json.dumps(probe.describe_target())), "; prefix ",
                   Mono(probe.prefix)]),
        Table(["Question", "Verdict", "Level", "Answer", "Evidence"],
              [[r.question, r.verdict, r.level, r.answer, r.evidence] for r in probe.rows],
              [_LEVEL_CLASS.get(r.level, "info") for r in probe.rows]),
    ]  # fmt: skip
    blocks += _recommendation_blocks(probe)
    if probe.cleanup is not None:
        c = probe.cleanup
        blocks.append(Paragraph(
            f"Cleanup: deleted {c.deleted} objects, aborted {c.aborted_uploads} uploads, "
            f"failed {len(c.failed)}, left under prefix {len(c.foreign_left)}."
        ))  # fmt: skip
    return blocks


def _suite_blocks(record: RunRecord) -> list[Block]:
    blocks: list[Block] = []
    for suite in record.suites:
        bad = [c for c in suite.cases if c.outcome in ("failed", "error", "xpassed")]
        blocks += [
            Heading(2, f"Suite {suite.name}: {suite.status}"),
            Paragraph([f"{len(suite.cases)} cases in {format_duration(suite.seconds)}; pytest "
                       "log ", Mono(str(suite.log_path))]),
        ]  # fmt: skip
        if suite.note:
            blocks.append(Paragraph(suite.note, note=True))
        if bad:
            blocks.append(Table(["Case", "Outcome", "Message"],
                                [[c.nodeid, c.outcome, c.message] for c in bad],
                                [_outcome_class(c.outcome) for c in bad]))  # fmt: skip
        skipped = sorted({c.message for c in suite.cases if c.outcome == "skipped"})
        if skipped:
            reasons: list[str | Mono] = ["Skip reasons: "]
            for index, reason in enumerate(skipped[:20]):
                reasons += (["; "] if index else []) + [Mono(reason)]
            blocks.append(Paragraph(reasons))
    return blocks


def _bench_section(record: RunRecord) -> list[Block]:
    """The benchmark tables (and the charts drawn from the same numbers)."""
    if not record.bench:
        return []
    try:
        run = parse_run(record.bench, "bench.json")
    except BenchDataError as exc:
        return [Heading(2, "Benchmarks"), Paragraph(f"not shown: {exc}", note=True)]
    images, ratio = chart_images(run)
    blocks = bench_blocks(run, images=images, ratio_image=ratio)
    nested = [Heading(b.level + 1, b.text) if isinstance(b, Heading) else b for b in blocks]
    return [Heading(2, "Benchmarks"), *nested]


def build_document(record: RunRecord, charts: list[Image]) -> Document:
    """The whole report, once: both files render this."""
    status = f"mode: {record.mode}{' (quick)' if record.quick else ''}; status: "
    facts: list[Line] = [
        ["Command: ", Mono(_command_line(record.command))],
        [f"Started: {record.started_at}; wall time {format_duration(record.wall_seconds)}; "
         + status, Strong(record.status)],
    ]  # fmt: skip
    if record.target:
        facts.append(f"Target: {json.dumps(record.target)}")
    if record.conformance_options is not None:
        facts.append(f"Conformance configuration: {json.dumps(record.conformance_options)}")
    doc = Document("remote-store-harness run report", [Bullets(facts)])
    explained = verdict_lines(record)
    if explained:
        doc.add(Heading(2, "Verdict"), Bullets(explained))
    doc.add(Heading(2, "Summary"), _summary_table(record), Paragraph(SUMMARY_LEGEND))
    doc.extend(Paragraph(note, note=True) for note in record.notes)
    doc.extend(charts)
    if record.probes:
        doc.add(Heading(2, "Probe answers"), _probe_matrix_table(record))
    for probe in record.probes:
        doc.extend(_probe_blocks(probe))
    per_scenario, matrix_cases = _matrix_tables(record.scenario_matrix)
    if per_scenario:
        doc.add(Heading(2, "Scenario matrix"), Table(_MATRIX_HEADER, per_scenario))
        not_passed = [c for c in matrix_cases if c[2] != "passed"]
        if not_passed:
            doc.add(
                Paragraph("Cases that did not pass:"),
                Table(_CASE_HEADER, not_passed, [_outcome_class(c[2]) for c in not_passed]),
            )
        doc.add(Paragraph("Every case with expected and observed outcome: results.json."))
    doc.extend(_suite_blocks(record))
    doc.extend(_bench_section(record))
    versions = [[k, v] for k, v in record.versions.items()]
    doc.add(Heading(2, "Versions"), Table(["Component", "Version"], versions))
    return doc


def _images(doc: Document) -> list[Image]:
    return [block for block in doc.blocks if isinstance(block, Image)]


def write_report(record: RunRecord, directory: Path) -> dict[str, Path]:
    """Write results.json, report.md (+ chart PNGs next to it) and report.html into *directory*."""
    directory.mkdir(parents=True, exist_ok=True)
    charts = _charts(record)
    if not charts:
        record.notes.append("charts omitted: matplotlib is not installed (extra 'report')")
    doc = build_document(record, charts)
    for image in _images(doc):
        if image.file and image.png:
            (directory / image.file).write_bytes(image.png)
    paths = {
        "json": directory / "results.json",
        "md": directory / "report.md",
        "html": directory / "report.html",
    }
    # Every file goes through the library's redaction (URL userinfo, PEM blocks, secret values).
    texts = {
        "json": json.dumps(record.to_json(), indent=2, default=str) + "\n",
        "md": to_markdown(doc),
        "html": to_html(doc),
    }
    for kind, text in texts.items():
        paths[kind].write_text(redact_text(text), encoding="utf-8")
    return paths
