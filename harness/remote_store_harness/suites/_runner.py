"""Run the pytest suites in-process and collect one outcome per case.

The conformance suite ships in this package (:mod:`remote_store_harness.suites.conformance`), so
it runs from any install. The scenario and benchmark suites are the repository's (``tests/``,
``benchmarks/``, with its conftest files): :func:`locate_suites` finds a source tree next to this
package (editable install from a clone) or under the current directory; without one those two
are reported as unavailable.

Each suite is one ``pytest.main`` call with a small plugin (:class:`CaseCollector`) that turns
pytest reports into :class:`CaseResult` s and progress events. pytest's own terminal output goes
to a log file in the report directory instead of the screen.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._events import ProgressSink

__all__ = [
    "PACKAGED_SUITES",
    "SUITE_PATHS",
    "CaseCollector",
    "CaseResult",
    "SuiteResult",
    "locate_suites",
    "run_pytest_suite",
    "suite_path",
]

#: Suite name -> path relative to the repository root (suites that need a source tree).
SUITE_PATHS: Mapping[str, str] = {
    "scenarios": "tests/scenarios",
    "bench": "benchmarks",
}

#: Suites shipped in the package: they run from any install.
PACKAGED_SUITES = frozenset({"conformance"})


def suite_path(name: str, root: Path | None) -> Path:
    """Where suite *name* lives: in the package, or under the source tree *root*."""
    if name in PACKAGED_SUITES:
        from . import conformance

        return Path(conformance.__file__).resolve().parent
    if root is None:
        raise ValueError(f"suite {name!r} needs a source tree")
    return root / SUITE_PATHS[name]


@dataclass(frozen=True)
class CaseResult:
    """Final outcome of one test: passed, failed, error, skipped, xfailed or xpassed."""

    nodeid: str
    outcome: str
    seconds: float
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 4),
            "message": self.message,
        }


@dataclass
class SuiteResult:
    """One suite's run: status, counts, every case, where pytest's log went."""

    name: str
    status: str  # "passed", "failed", "unavailable", "interrupted", "error"
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    exit_code: int | None = None
    log_path: str | None = None
    note: str = ""
    args: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(case.outcome for case in self.cases)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "counts": dict(sorted(self.counts.items())),
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
            "log": self.log_path,
            "note": self.note,
            "pytest_args": self.args,
            "cases": [case.to_json() for case in self.cases],
        }


def locate_suites(start: Path | None = None) -> Path | None:
    """The repository root holding ``tests/scenarios`` (None if this is not a source tree)."""
    candidates = [Path(__file__).resolve().parents[3], (start or Path.cwd()).resolve()]
    candidates += list((start or Path.cwd()).resolve().parents)
    for root in candidates:
        if (root / "pyproject.toml").is_file() and (root / SUITE_PATHS["scenarios"]).is_dir():
            return root
    return None


def _short(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _message(report: Any) -> str:
    """One line saying why a case failed or skipped (the crash line, or the skip reason)."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (file, line, reason)
        return _short(str(longrepr[2]).removeprefix("Skipped: "))
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return _short(str(crash.message))
    return _short(str(longrepr).strip().splitlines()[-1] if str(longrepr).strip() else "")


class CaseCollector:
    """pytest plugin: per-case outcomes from the setup/call/teardown reports, plus progress."""

    def __init__(self, suite: str, progress: ProgressSink | None) -> None:
        self.suite = suite
        self.progress = progress
        self.cases: list[CaseResult] = []
        self.total: int | None = None
        self._phases: dict[str, list[Any]] = {}

    def pytest_collection(self, session: Any) -> None:
        # Announce the suite before collecting: collection errors are cases of this suite too.
        if self.progress is not None:
            self.progress.suite_started(self.suite, None)

    def pytest_collection_finish(self, session: Any) -> None:
        self.total = len(session.items)
        if self.progress is not None:
            self.progress.suite_collected(self.suite, self.total)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self._finish(
                CaseResult(report.nodeid or "<collection>", "error", 0.0, _message(report))
            )

    def pytest_runtest_logreport(self, report: Any) -> None:
        self._phases.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        reports = self._phases.pop(nodeid, [])
        self._finish(self._combine(nodeid, reports))

    @staticmethod
    def _combine(nodeid: str, reports: Sequence[Any]) -> CaseResult:
        seconds = sum(float(getattr(r, "duration", 0.0)) for r in reports)
        by_phase = {r.when: r for r in reports}
        setup, call, teardown = (by_phase.get(w) for w in ("setup", "call", "teardown"))
        if setup is not None and setup.failed:
            return CaseResult(nodeid, "error", seconds, _message(setup))
        if setup is not None and setup.skipped:
            outcome = "xfailed" if hasattr(setup, "wasxfail") else "skipped"
            return CaseResult(nodeid, outcome, seconds, _message(setup))
        if call is not None:
            if hasattr(call, "wasxfail"):
                outcome = "xfailed" if call.skipped else ("xpassed" if call.passed else "failed")
                if outcome != "failed":
                    return CaseResult(nodeid, outcome, seconds, str(call.wasxfail))
            if call.failed:
                return CaseResult(nodeid, "failed", seconds, _message(call))
            if call.skipped:
                return CaseResult(nodeid, "skipped", seconds, _message(call))
        if teardown is not None and teardown.failed:
            return CaseResult(nodeid, "error", seconds, "teardown: " + _message(teardown))
        return CaseResult(nodeid, "passed", seconds)

    def _finish(self, case: CaseResult) -> None:
        self.cases.append(case)
        if self.progress is not None:
            detail = case.message if case.outcome in ("failed", "error") else ""
            self.progress.case_finished(self.suite, case.nodeid, case.outcome, case.seconds, detail)


@contextlib.contextmanager
def _stdout_to(path: Path) -> Iterator[None]:
    """Send fd 1/2 and sys.stdout/err to *path* (pytest's terminal and capture use both)."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


_OUTER_SESSION_VARIABLES = (
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
)
"""Variables an enclosing pytest session sets that would mislead the suite's own session.

A suite is its own pytest session even when ``run`` is called from inside a pytest-xdist worker
(the repository's tests do that): pytest-benchmark reads ``PYTEST_XDIST_WORKER`` and then
silently disables every benchmark, so the bench suite "passed" and wrote an empty JSON file.
"""


@contextlib.contextmanager
def _environ(updates: Mapping[str, str]) -> Iterator[None]:
    """Apply *updates* and hide the enclosing session's variables while a suite runs."""
    names = {*updates, *_OUTER_SESSION_VARIABLES}
    previous = {name: os.environ.get(name) for name in names}
    for name in _OUTER_SESSION_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(updates)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_pytest_suite(
    name: str,
    root: Path | None,
    extra_args: Sequence[str],
    *,
    log_path: Path,
    progress: ProgressSink | None = None,
    environ: Mapping[str, str] | None = None,
    files: Sequence[str] = (),
) -> SuiteResult:
    """Run one suite with ``pytest.main``; never raises for test failures.

    With a source tree *root* pytest runs there with the repository's configuration (which adds
    the repository-only conformance plug-ins, e.g. SFTP); without one it runs in the log's
    directory with no configuration file at all.

    *files* (relative to the suite's folder) narrow the run to those files; empty runs it all.

    Ctrl-C inside pytest ends the suite with status "interrupted" (pytest has then run its
    teardowns); the caller is expected to stop there.
    """
    import pytest

    collector = CaseCollector(name, progress)
    workdir = root if root is not None else log_path.parent
    config_file = root / "pyproject.toml" if root is not None else Path(os.devnull)
    folder = suite_path(name, root)
    args = [
        *([str(folder / f) for f in files] or [str(folder)]),
        "--rootdir",
        str(workdir),
        "-c",
        str(config_file),
        "-p",
        "no:cacheprovider",
        "--continue-on-collection-errors",
        "-o",
        "console_output_style=classic",
        *extra_args,
    ]
    started = time.perf_counter()
    cwd = Path.cwd()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chdir(workdir)
        with _environ(environ or {}), _stdout_to(log_path):
            code = int(pytest.main(list(args), plugins=[collector]))
    finally:
        os.chdir(cwd)
    seconds = time.perf_counter() - started
    counts = Counter(case.outcome for case in collector.cases)
    if code == int(pytest.ExitCode.INTERRUPTED):
        status = "interrupted"
    elif code in (int(pytest.ExitCode.USAGE_ERROR), int(pytest.ExitCode.INTERNAL_ERROR)):
        status = "error"
    elif counts["failed"] or counts["error"] or counts["xpassed"]:
        status = "failed"
    elif code == int(pytest.ExitCode.NO_TESTS_COLLECTED) or not collector.cases:
        status = "empty"
    else:
        status = "passed"
    result = SuiteResult(
        name=name,
        status=status,
        cases=collector.cases,
        seconds=seconds,
        exit_code=code,
        log_path=str(log_path),
        args=args,
    )
    if status == "error":
        result.note = _tail(log_path)
    if progress is not None:
        progress.suite_finished(name, f"{status}; " + _count_text(counts))
    return result


def _count_text(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no cases"


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])
