"""The run's verdict: passed, passed with server divergences, or failed.

A failing conformance case is a **server divergence** when a probe check that answered NO or
partial for the target detects a divergence (``suites._divergences``, the one table) that lists
the case. Any other failure, error or XPASS, and any suite that did not run (unavailable,
collected nothing, executed nothing, broke, interrupted), fails the run: a run that executed
nothing never says passed. ``strict`` turns divergences into failures. A case a probe finding
predicted to fail that passed is reported too (the probe or the table may be wrong).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._divergences import DIVERGENCES, Divergence

__all__ = [
    "FAILED",
    "PASSED",
    "PASSED_WITH_DIVERGENCES",
    "ExplainedFailure",
    "Verdict",
    "decide",
    "test_name",
]

PASSED = "passed"
PASSED_WITH_DIVERGENCES = "passed with server divergences"
FAILED = "failed"

#: Suite statuses that count as "ran and passed"; "not-applicable" suites are left out entirely.
_GOOD_SUITE = "passed"
_IGNORED_SUITE = "not-applicable"
#: Probe answers that mean "the server differs here".
_FINDING = frozenset({"no", "partial"})


def test_name(nodeid: str) -> str:
    """The conformance function name of a pytest node id (no path, no ``[params]``)."""
    return nodeid.rpartition("::")[2].partition("[")[0]


@dataclass(frozen=True)
class ExplainedFailure:
    """A failed case and the probe finding that explains it."""

    nodeid: str
    divergence: Divergence
    probe_row: Any  # the ProbeRow that answered NO/partial

    def to_json(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "divergence": self.divergence.id,
            "behaviour": self.divergence.behaviour,
            "consequence": self.divergence.consequence,
            "probe_check": self.probe_row.check,
            "probe_answer": self.probe_row.answer,
            "probe_evidence": self.probe_row.evidence,
        }


@dataclass
class Verdict:
    """The overall status with the reasons behind it."""

    status: str
    reasons: list[str] = field(default_factory=list)
    divergences: list[ExplainedFailure] = field(default_factory=list)
    predicted_but_passed: list[ExplainedFailure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.status == FAILED else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reasons": self.reasons,
            "divergences": [d.to_json() for d in self.divergences],
            "predicted_failures_that_passed": [d.to_json() for d in self.predicted_but_passed],
        }


def _findings(probes: Iterable[Any]) -> list[tuple[Divergence, Any]]:
    rows = [row for probe in probes for row in probe.rows if row.verdict in _FINDING]
    return [
        (divergence, row)
        for row in rows
        for divergence in DIVERGENCES
        if divergence.probe_check == row.check and divergence.cases
    ]


def _explain(nodeid: str, findings: Sequence[tuple[Divergence, Any]]) -> ExplainedFailure | None:
    name = test_name(nodeid)
    for divergence, row in findings:
        if divergence.matches_case(name):
            return ExplainedFailure(nodeid, divergence, row)
    return None


def decide(suites: Sequence[Any], probes: Sequence[Any], *, strict: bool = False) -> Verdict:
    """The verdict for suite results *suites* (``SuiteResult``) and probe reports *probes*."""
    verdict = Verdict(PASSED)
    findings = _findings(probes)
    for suite in suites:
        if suite.status == _IGNORED_SUITE:
            continue
        counts = suite.counts
        executed = sum(counts[k] for k in ("passed", "failed", "error", "xfailed", "xpassed"))
        if suite.status not in (_GOOD_SUITE, "failed"):
            verdict.reasons.append(f"{suite.name}: {suite.status}")
        elif executed == 0:
            verdict.reasons.append(f"{suite.name}: executed no test")
        for case in suite.cases:
            explained = _explain(case.nodeid, findings) if suite.name == "conformance" else None
            if case.outcome in ("failed", "error"):
                if explained is None:
                    verdict.reasons.append(f"{suite.name}: {case.outcome} {case.nodeid}")
                else:
                    verdict.divergences.append(explained)
            elif case.outcome == "xpassed":
                verdict.reasons.append(f"{suite.name}: unexpectedly passed {case.nodeid}")
            elif case.outcome == "passed" and explained is not None:
                verdict.predicted_but_passed.append(explained)
    for probe in probes:
        for row in probe.rows:
            if row.verdict == "error":
                verdict.reasons.append(f"probe {probe.target.label}: check {row.check} broke")
    if not suites and not probes:
        verdict.reasons.append("nothing ran")
    if strict:
        verdict.reasons += [
            f"conformance: server divergence {d.divergence.id} ({d.nodeid}; --strict)"
            for d in verdict.divergences
        ]
    if verdict.reasons:
        verdict.status = FAILED
    elif verdict.divergences:
        verdict.status = PASSED_WITH_DIVERGENCES
    return verdict
