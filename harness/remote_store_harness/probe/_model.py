"""Data shapes shared by the probe's checks: one answered question, and what a check may use.

A check answers one question about the service and returns a :class:`ProbeRow` with the answer
*and the evidence* (what was sent, what came back), so that a reader of the report can judge the
answer without re-running anything. ``data`` carries the same facts in machine-readable form for
results.json and for the config recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._client import ProbeTarget
from ._scratch import Scratch

__all__ = ["Level", "ProbeContext", "ProbeRow", "Verdict"]

#: The answer to the question: "yes"/"no", "partial" (some variants only), "n/a" (the question
#: does not apply to this target, e.g. TLS on plain HTTP) or "error" (the check itself broke).
Verdict = Literal["yes", "no", "partial", "n/a", "error"]

#: How much the answer matters: "ok" (safe default), "info" (fact to know), "warn" (works with
#: a configuration change or with caveats), "fail" (a remote_store default would misbehave).
Level = Literal["ok", "info", "warn", "fail"]


@dataclass(frozen=True)
class ProbeRow:
    """One question about the target with its answer and the evidence behind it."""

    check: str
    question: str
    verdict: Verdict
    level: Level
    answer: str
    evidence: str
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "question": self.question,
            "verdict": self.verdict,
            "level": self.level,
            "answer": self.answer,
            "evidence": self.evidence,
            "seconds": round(self.seconds, 4),
            "data": self.data,
        }


@dataclass
class ProbeContext:
    """What a check may use: the target, a ready client, the scratch ledger, shared facts.

    ``facts`` lets a later check reuse an earlier finding (e.g. the first PUT found that the
    service rejects botocore's default checksums, so every later client must not send them).
    """

    target: ProbeTarget
    client: Any
    scratch: Scratch
    quick: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
