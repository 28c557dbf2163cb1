"""Write the run's report: ``results.json`` (everything), ``report.md`` and ``report.html``.

``report.html`` is self-contained (inline CSS, charts embedded as base64 PNG rendered with
matplotlib's Agg backend), so it can be attached to a ticket or mailed. When matplotlib is not
installed the reports are written without charts and say so. The same summary table that heads
``report.md`` is returned by :func:`summary_text` for the terminal.
"""

from __future__ import annotations

import base64
import html
import io
import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remote_store._redact import redact_text

from .._events import format_elapsed
from ..probe._run import ProbeReport
from ..suites._runner import SuiteResult

__all__ = [
    "VERSIONED_DISTRIBUTIONS",
    "RunRecord",
    "collect_versions",
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
            format_elapsed(suite.seconds),
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
            format_elapsed(probe.seconds),
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


def _plain_table(header: list[str], rows: list[list[str]], width: int = 60) -> str:
    cut = [[c if len(c) <= width else c[: width - 3] + "..." for c in row] for row in rows]
    sizes = [max(len(str(x)) for x in column) for column in zip(header, *cut, strict=False)]
    lines = ["  ".join(h.ljust(s) for h, s in zip(header, sizes, strict=True))]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(c.ljust(s) for c, s in zip(row, sizes, strict=True)) for row in cut]
    return "\n".join(line.rstrip() for line in lines)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_text(record: RunRecord) -> str:
    """The terminal summary: suite table, probe matrix, run status and wall time."""
    parts = [_plain_table(_SUITE_HEADER, _suite_rows(record))]
    if record.probes:
        header, rows = _probe_matrix(record)
        parts.append(_plain_table(header, rows, width=48))
    parts.append(SUMMARY_LEGEND)
    explained = verdict_lines(record)
    if explained:
        parts.append("\n".join(explained))
    parts.append(
        f"Run {record.status.upper()} in {format_elapsed(record.wall_seconds)} "
        f"({record.wall_seconds:.1f} s)"
    )
    return "\n\n".join(parts)


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


def _charts(record: RunRecord) -> list[tuple[str, bytes]]:
    """(title, PNG bytes) for each chart that has data; empty when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    charts: list[tuple[str, bytes]] = []

    def render(fig: Any) -> bytes:
        buffer = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        plt.close(fig)
        return buffer.getvalue()

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
        charts.append(("Suite outcomes", render(fig)))

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
        charts.append(("Probe round-trip latency", render(fig)))

    benches = (record.bench or {}).get("benchmarks", []) if isinstance(record.bench, dict) else []
    if benches:
        items = sorted(
            ((str(b.get("name", "?")), float(b["stats"]["median"])) for b in benches),
            key=lambda item: item[1],
        )[-25:]
        fig, ax = plt.subplots(figsize=(9, 0.8 + 0.3 * len(items)))
        ax.barh([n for n, _ in items], [v for _, v in items], color="#1565c0")
        ax.set_xscale("log")
        ax.set_xlabel("median seconds per round (log scale)")
        ax.tick_params(axis="y", labelsize=7)
        charts.append(("Benchmarks (slowest 25)", render(fig)))
    return charts


# --- documents ------------------------------------------------------------------------------


def _md(record: RunRecord, chart_files: list[tuple[str, str]]) -> str:
    out = [
        "# remote-store-harness run report",
        "",
        f"- Command: `{_command_line(record.command)}`",
        f"- Started: {record.started_at}; wall time {record.wall_seconds:.1f} s; "
        f"mode: {record.mode}{' (quick)' if record.quick else ''}; status: **{record.status}**",
    ]
    if record.target:
        out.append(f"- Target: {json.dumps(record.target)}")
    if record.conformance_options is not None:
        out.append(f"- Conformance configuration: {json.dumps(record.conformance_options)}")
    explained = verdict_lines(record)
    if explained:
        out += ["", "## Verdict", ""] + [f"- {line}" for line in explained]
    out += ["", "## Summary", "", _md_table(_SUITE_HEADER, _suite_rows(record)), ""]
    out += [SUMMARY_LEGEND, ""]
    for note in record.notes:
        out.append(f"> {note}")
    for title, name in chart_files:
        out += ["", f"![{title}]({name})"]
    if record.probes:
        header, rows = _probe_matrix(record)
        out += ["", "## Probe answers", "", _md_table(header, rows)]
    for probe in record.probes:
        out += ["", f"### Probe of {probe.target.label}", ""]
        out.append(f"Target: `{json.dumps(probe.describe_target())}`; prefix `{probe.prefix}`")
        out += ["", _md_table(
            ["Question", "Verdict", "Level", "Answer", "Evidence"],
            [[r.question, r.verdict, r.level, r.answer, r.evidence] for r in probe.rows],
        )]  # fmt: skip
        if probe.recommendation is not None:
            out += ["", "Recommended configuration (YAML, load with `resolve_env_vars=True`):", ""]
            out += ["```yaml", probe.recommendation.yaml().rstrip(), "```", "", "Python:", ""]
            out += ["```python", probe.recommendation.python().rstrip(), "```"]
            out += [f"- {note}" for note in probe.recommendation.notes]
            if probe.recommendation.consequences:
                out += ["", "What the NO answers mean for remote_store:", ""]
                out += [f"- {line}" for line in probe.recommendation.consequences]
        if probe.cleanup is not None:
            c = probe.cleanup
            out.append(
                f"\nCleanup: deleted {c.deleted} objects, aborted {c.aborted_uploads} uploads, "
                f"failed {len(c.failed)}, left under prefix {len(c.foreign_left)}."
            )
    per_scenario, matrix_cases = _matrix_tables(record.scenario_matrix)
    if per_scenario:
        out += ["", "## Scenario matrix", "", _md_table(_MATRIX_HEADER, per_scenario)]
        not_passed = [c for c in matrix_cases if c[2] != "passed"]
        if not_passed:
            out += ["", "Cases that did not pass:", "", _md_table(_CASE_HEADER, not_passed)]
        out += ["", "Every case with expected and observed outcome: results.json / report.html."]
    for suite in record.suites:
        bad = [c for c in suite.cases if c.outcome in ("failed", "error", "xpassed")]
        out += ["", f"## Suite {suite.name}: {suite.status}", ""]
        out.append(
            f"{len(suite.cases)} cases in {suite.seconds:.1f} s; pytest log `{suite.log_path}`"
        )
        if suite.note:
            out += ["", f"> {suite.note}"]
        if bad:
            out += ["", _md_table(["Case", "Outcome", "Message"],
                                  [[c.nodeid, c.outcome, c.message] for c in bad])]  # fmt: skip
        skipped = sorted({c.message for c in suite.cases if c.outcome == "skipped"})
        if skipped:
            out += ["", "Skip reasons: " + "; ".join(f"`{reason}`" for reason in skipped[:20])]
    versions = [[k, v] for k, v in record.versions.items()]
    out += ["", "## Versions", "", _md_table(["Component", "Version"], versions)]
    return "\n".join(out) + "\n"


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "vertical-align:top;font-size:13px}th{background:#f0f0f0}pre{background:#f7f7f7;padding:1em;"
    "overflow:auto}.ok{background:#e8f5e9}.warn{background:#fff8e1}.fail{background:#ffebee}"
    ".info{background:#e3f2fd}"
)


def _html_table(header: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for index, row in enumerate(rows):
        cls = f' class="{classes[index]}"' if classes else ""
        cells = "".join(f"<td>{html.escape(c)}</td>" for c in row)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _html(record: RunRecord, charts: list[tuple[str, bytes]]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>remote-store-harness report</title><style>{_CSS}</style></head><body>",
        "<h1>remote-store-harness run report</h1>",
        f"<p>Command: <code>{e(_command_line(record.command))}</code><br>Started "
        f"{e(record.started_at)}; wall time {record.wall_seconds:.1f} s; mode {e(record.mode)}"
        f"{' (quick)' if record.quick else ''}; status <b>{e(record.status)}</b></p>",
    ]
    explained = verdict_lines(record)
    if explained:
        parts += ["<h2>Verdict</h2><ul>", *(f"<li>{e(x)}</li>" for x in explained), "</ul>"]
    parts += [
        "<h2>Summary</h2>",
        _html_table(_SUITE_HEADER, _suite_rows(record)),
        f"<p>{e(SUMMARY_LEGEND)}</p>",
    ]
    parts += [f"<p><i>{e(note)}</i></p>" for note in record.notes]
    for title, png in charts:
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f"<h3>{e(title)}</h3><img alt='{e(title)}' src='data:image/png;base64,{data}'>"
        )
    if not charts:
        parts.append("<p><i>No charts: matplotlib is not installed.</i></p>")
    for probe in record.probes:
        parts.append(f"<h2>Probe of {e(probe.target.label)}</h2>")
        parts.append(f"<p><code>{e(json.dumps(probe.describe_target()))}</code></p>")
        parts.append(_html_table(
            ["Question", "Verdict", "Answer", "Evidence"],
            [[r.question, r.verdict, r.answer, r.evidence] for r in probe.rows],
            [r.level for r in probe.rows],
        ))  # fmt: skip
        if probe.recommendation is not None:
            parts.append("<h3>Recommended configuration</h3>")
            parts.append(f"<pre>{e(probe.recommendation.yaml())}</pre>")
            parts.append(f"<pre>{e(probe.recommendation.python())}</pre>")
            parts += [f"<p>{e(note)}</p>" for note in probe.recommendation.notes]
            if probe.recommendation.consequences:
                parts.append("<h3>What the NO answers mean for remote_store</h3><ul>")
                parts += [f"<li>{e(x)}</li>" for x in probe.recommendation.consequences]
                parts.append("</ul>")
    per_scenario, matrix_cases = _matrix_tables(record.scenario_matrix)
    if per_scenario:
        parts.append("<h2>Scenario matrix</h2>")
        parts.append(_html_table(_MATRIX_HEADER, per_scenario))
        parts.append(_html_table(
            _CASE_HEADER, matrix_cases,
            [{"passed": "ok", "skipped": "info"}.get(c[2], "fail") for c in matrix_cases],
        ))  # fmt: skip
    for suite in record.suites:
        parts.append(f"<h2>Suite {e(suite.name)}: {e(suite.status)}</h2>")
        parts.append(
            _html_table(
                ["Case", "Outcome", "Seconds", "Message"],
                [[c.nodeid, c.outcome, f"{c.seconds:.2f}", c.message] for c in suite.cases],
                [{"passed": "ok", "skipped": "info"}.get(c.outcome, "fail") for c in suite.cases],
            )
        )
    parts.append("<h2>Versions</h2>")
    parts.append(
        _html_table(["Component", "Version"], [[k, v] for k, v in record.versions.items()])
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(record: RunRecord, directory: Path) -> dict[str, Path]:
    """Write results.json, report.md (+ chart PNGs next to it) and report.html into *directory*."""
    directory.mkdir(parents=True, exist_ok=True)
    charts = _charts(record)
    if not charts:
        record.notes.append("charts omitted: matplotlib is not installed (extra 'report')")
    chart_files = []
    for index, (title, png) in enumerate(charts, start=1):
        name = f"chart-{index}.png"
        (directory / name).write_bytes(png)
        chart_files.append((title, name))
    paths = {
        "json": directory / "results.json",
        "md": directory / "report.md",
        "html": directory / "report.html",
    }
    # Every file goes through the library's redaction (URL userinfo, PEM blocks, secret values).
    texts = {
        "json": json.dumps(record.to_json(), indent=2, default=str) + "\n",
        "md": _md(record, chart_files),
        "html": _html(record, charts),
    }
    for kind, text in texts.items():
        paths[kind].write_text(redact_text(text), encoding="utf-8")
    return paths
