"""Scenario suite plumbing: the scenario matrix recorder and topology access.

Every test collected under ``tests/scenarios/`` becomes one row of the scenario matrix, a JSON
file the main job turns into a report (format: ``docs/scenarios.md``). A test fills in its
row through the ``scenario_case`` fixture (what it expected, what it observed); the outcome,
duration and -- for failures and skips -- the message are filled in from the pytest report, so
cases skipped before their body ran (no MinIO engine, say) are still listed.

Where the file goes, first match wins: ``--scenario-matrix PATH`` (registered in the root
``tests/conftest.py``), the ``SCENARIO_MATRIX_PATH`` environment variable, else
``scenario-matrix.json`` in pytest's base temporary directory. Under pytest-xdist each worker
hands its rows to the controller, which writes the one matrix (``tests/_scenario_matrix.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _scenario_matrix import WORKER_ROWS, write_matrix

_CASE_KEY = pytest.StashKey["ScenarioCase"]()
_ROWS_KEY = pytest.StashKey[dict[str, dict[str, Any]]]()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return repr(value)


@dataclass
class ScenarioCase:
    """One row of the scenario matrix, filled in by the test that owns it."""

    scenario: str
    case: str
    test: str
    parameters: dict[str, Any] = field(default_factory=dict)
    expected: str | None = None
    observed: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def expect(self, expected: str, **parameters: Any) -> None:
        """Record the expected outcome (and any parameters beyond the pytest params)."""
        self.expected = expected
        self.parameters.update({k: _jsonable(v) for k, v in parameters.items()})

    def observe(self, observed: str, **evidence: Any) -> None:
        """Record what actually happened (exception text for failures) plus log evidence."""
        self.observed = observed
        self.evidence.update({k: _jsonable(v) for k, v in evidence.items()})


def _scenario_of(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    name = getattr(module, "SCENARIO", None)
    if isinstance(name, str):
        return name
    return Path(str(item.fspath)).stem.removeprefix("test_")


def _case_of(item: pytest.Item) -> ScenarioCase:
    case = item.stash.get(_CASE_KEY, None)
    if case is None:
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        base = getattr(item, "originalname", item.name)
        case_id = f"{base}[{callspec.id}]" if callspec is not None else base
        case = ScenarioCase(
            scenario=_scenario_of(item),
            case=case_id,
            test=item.nodeid,
            parameters={k: _jsonable(v) for k, v in params.items()},
        )
        item.stash[_CASE_KEY] = case
    return case


@pytest.fixture
def scenario_case(request: pytest.FixtureRequest) -> ScenarioCase:
    """This test's row of the scenario matrix."""
    return _case_of(request.node)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    case = _case_of(item)
    rows = item.config.stash.setdefault(_ROWS_KEY, {})
    row = rows.get(item.nodeid)
    if row is None:
        row = {"outcome": "passed", "message": None, "duration_s": 0.0}
        rows[item.nodeid] = row
    row["duration_s"] = round(row["duration_s"] + report.duration, 3)
    if report.skipped:
        row["outcome"] = "skipped"
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            row["message"] = str(longrepr[2]).removeprefix("Skipped: ")
        else:
            row["message"] = str(longrepr)
    elif report.failed:
        row["outcome"] = "failed" if report.when == "call" else "error"
        crash = getattr(report.longrepr, "reprcrash", None)
        row["message"] = crash.message if crash is not None else str(report.longrepr)
    row.update(
        scenario=case.scenario,
        case=case.case,
        test=case.test,
        parameters=case.parameters,
        expected=case.expected,
        observed=case.observed,
        evidence=case.evidence,
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    rows = session.config.stash.get(_ROWS_KEY, {})
    position = {item.nodeid: index for index, item in enumerate(session.items)}
    placed = [[position[nodeid], row] for nodeid, row in rows.items() if nodeid in position]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller writes the one matrix
        workeroutput[WORKER_ROWS] = json.dumps(placed)
        return
    write_matrix(session.config, placed)


# --------------------------------------------------------------------------- topologies


@pytest.fixture(scope="session")
def _scenario_topologies() -> Iterator[dict[Any, Any]]:
    """Fallback cache of topologies when the harness plugin's factory is not available."""
    cache: dict[Any, Any] = {}
    yield cache
    for topo in cache.values():
        topo.stop()


@pytest.fixture(scope="session")
def topology(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``topology(**spec_fields)``: the shared harness topology, or a clean skip.

    Uses the harness plugin's ``s3_topology_factory`` (one running topology per spec for the
    session). A target that cannot run here (no Docker engine or ``minio`` binary for MinIO)
    raises the harness's ``TargetUnavailable``; the scenario is then skipped with that reason.
    """
    from remote_store_harness import TargetUnavailable

    try:
        factory: Callable[..., Any] = request.getfixturevalue("s3_topology_factory")
    except pytest.FixtureLookupError:
        from remote_store_harness.topology import TopologySpec, start_topology

        cache = request.getfixturevalue("_scenario_topologies")

        def factory(**spec: Any) -> Any:
            key = TopologySpec(**spec)
            if key not in cache:
                cache[key] = start_topology(key)
            return cache[key]

    def get(**spec: Any) -> Any:
        try:
            return factory(**spec)
        except TargetUnavailable as exc:
            pytest.skip(f"target {spec.get('target', 'moto')!r} unavailable here: {exc}")

    return get


@pytest.fixture(autouse=True)
def _clean_machine(scrubbed_env: None) -> None:
    """Every scenario starts on a "clean machine": no CA, proxy, profile or endpoint variables,
    dummy AWS credentials, empty AWS config files (the harness plugin's ``scrubbed_env``)."""


@pytest.fixture
def require_s3() -> None:
    pytest.importorskip("s3fs", reason="the s3 extra (s3fs) is not installed")
    try:
        from remote_store.backends import S3Backend  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on install
        pytest.skip(f"remote_store.backends.S3Backend not importable: {exc}")
