"""The probe: ask an S3-compatible target the questions an on-prem user needs answered.

``run_probe(target)`` checks the target is reachable (one-line errors otherwise), claims an empty
unique prefix in the bucket, runs every check with boto3 (not ``remote_store``), always removes
what it wrote, and returns a :class:`ProbeReport` with one row per question and a recommended
``remote_store`` configuration derived from the answers.

A check that breaks becomes an "error" row (with the exception as evidence) instead of ending the
probe; only a lost connection to the target or Ctrl-C ends it early, and cleanup still runs.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .._events import ProgressSink
from ._checks_net import (
    check_addressing,
    check_clock_and_latency,
    check_tls,
    check_versioning,
)
from ._checks_obj import (
    check_checksums,
    check_conditional_multipart,
    check_conditional_put,
    check_copy_metadata,
    check_delimiter_max_keys,
    check_delimiter_subfolders,
    check_if_match,
    check_metadata_case,
    check_multipart,
    check_pagination,
)
from ._client import (
    ProbeTarget,
    make_client,
    preflight,
    proxy_origin,
    resolve_ca,
)
from ._model import ProbeContext, ProbeRow
from ._recommend import UNSUPPORTED_CONSEQUENCES, Recommendation, recommend
from ._scratch import CleanupReport, Scratch, unique_prefix

__all__ = ["ProbeReport", "ProbeRow", "ProbeTarget", "run_probe"]

Check = Callable[[ProbeContext], ProbeRow | tuple[ProbeRow, ...]]


@dataclass
class ProbeReport:
    """Everything the probe found about one target."""

    target: ProbeTarget
    prefix: str
    rows: list[ProbeRow] = field(default_factory=list)
    recommendation: Recommendation | None = None
    cleanup: CleanupReport | None = None
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def failures(self) -> list[ProbeRow]:
        return [r for r in self.rows if r.level == "fail" or r.verdict == "error"]

    def describe_target(self) -> dict[str, Any]:
        ca = resolve_ca(self.target) if self.target.endpoint.is_tls else None
        return {
            "label": self.target.label,
            "endpoint_url": self.target.endpoint.url,
            "bucket": self.target.bucket,
            "region": self.target.endpoint.region,
            "addressing": self.target.endpoint.addressing,
            "ca": f"{ca.origin}: {ca.path}" if ca is not None else None,
            "proxy": proxy_origin(self.target),
        }

    def to_json(self) -> dict[str, Any]:
        cleanup = self.cleanup
        return {
            "target": self.describe_target(),
            "prefix": self.prefix,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "rows": [row.to_json() for row in self.rows],
            "recommendation": None if self.recommendation is None else {
                **self.recommendation.to_json(),
                "yaml": self.recommendation.yaml(),
                "python": self.recommendation.python(),
            },
            "cleanup": None if cleanup is None else {
                "deleted": cleanup.deleted,
                "aborted_uploads": cleanup.aborted_uploads,
                "failed": cleanup.failed,
                "failed_uploads": cleanup.failed_uploads,
                "left_under_prefix": cleanup.foreign_left,
            },
        }  # fmt: skip


def _checks(quick: bool) -> list[tuple[str, Check]]:
    """The checks in order; the first write (checksums) decides how later clients are built."""
    checks: list[tuple[str, Check]] = [
        ("tls", check_tls),
        ("checksums", check_checksums),
        ("addressing_path", lambda c: check_addressing(c, "path")),
        ("addressing_virtual", lambda c: check_addressing(c, "virtual")),
        ("conditional_put", check_conditional_put),
        ("conditional_multipart", check_conditional_multipart),
        ("if_match", check_if_match),
        ("metadata_case", check_metadata_case),
        ("copy_metadata", check_copy_metadata),
        ("delimiter_subfolders", check_delimiter_subfolders),
        ("delimiter_max_keys", check_delimiter_max_keys),
        ("multipart", check_multipart),
        ("pagination", check_pagination),
        ("clock_and_latency", check_clock_and_latency),
        ("versioning", check_versioning),
    ]
    return checks


#: Answers meaning "this server does not implement the operation".
_UNSUPPORTED_STATUS = frozenset({405, 501})
_UNSUPPORTED_CODES = frozenset({"NotImplemented", "MethodNotAllowed"})


def _unsupported_or_error(name: str, exc: Any) -> ProbeRow:
    """A 405/501/NotImplemented answer is a finding about the server, not a broken check."""
    error = exc.response.get("Error", {})
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    code = str(error.get("Code", ""))
    operation = getattr(exc, "operation_name", "?")
    evidence = f"{operation} -> HTTP {status} {code}: {error.get('Message', '')}".strip()
    if status in _UNSUPPORTED_STATUS or code in _UNSUPPORTED_CODES:
        consequence = UNSUPPORTED_CONSEQUENCES.get(name, f"{operation} is not supported")
        return ProbeRow(name, name.replace("_", " "), "no", "warn", consequence, evidence,
                        data={"unsupported_operation": operation, "status": status})  # fmt: skip
    return ProbeRow(name, name.replace("_", " "), "error", "fail", "check failed to run",
                    f"{type(exc).__name__}: {exc}")  # fmt: skip


def run_probe(
    target: ProbeTarget,
    *,
    quick: bool = False,
    prefix: str | None = None,
    progress: ProgressSink | None = None,
    suite_name: str | None = None,
) -> ProbeReport:
    """Probe *target*; raises a one-line RunError when it cannot start (nothing written then)."""
    from botocore import exceptions as bx

    suite = suite_name or f"probe {target.label}"
    started = time.perf_counter()
    preflight(target)
    client = make_client(target)
    scratch = Scratch(client, target.bucket, prefix or unique_prefix())
    report = ProbeReport(target=target, prefix=scratch.prefix)
    scratch.claim()
    checks = _checks(quick)
    if progress is not None:
        progress.suite_started(suite, len(checks) + 1)  # clock_and_latency yields two rows
    context = ProbeContext(target=target, client=client, scratch=scratch, quick=quick)
    try:
        for name, check in checks:
            begun = time.perf_counter()
            try:
                produced = check(context)
            except (bx.EndpointConnectionError, bx.ConnectTimeoutError) as exc:
                raise _lost(target, exc) from None
            except bx.ClientError as exc:
                produced = _unsupported_or_error(name, exc)
            except Exception as exc:  # a broken check is a finding, not the end of the probe
                produced = ProbeRow(
                    name, name.replace("_", " "), "error", "fail",
                    "check failed to run", f"{type(exc).__name__}: {exc}",
                )  # fmt: skip
            elapsed = time.perf_counter() - begun
            rows = produced if isinstance(produced, tuple) else (produced,)
            for row in rows:
                row = _with_seconds(row, elapsed / len(rows))
                report.rows.append(row)
                if progress is not None:
                    progress.case_finished(suite, row.question, row.verdict, row.seconds)
    except KeyboardInterrupt:
        report.interrupted = True
        raise
    finally:
        with _sigint_deferred():
            report.cleanup = scratch.cleanup()
        context.client.close()
        if context.client is not client:
            client.close()
        report.seconds = time.perf_counter() - started
        if progress is not None and report.cleanup is not None:
            c = report.cleanup
            progress.note(
                f"[{suite}] cleanup: deleted {c.deleted} objects, aborted {c.aborted_uploads} "
                f"uploads; left under prefix: {len(c.foreign_left)}; failed: {len(c.failed)}"
                + "".join(f"; NOT aborted: {u}" for u in c.failed_uploads)
                + "".join(f"; NOT deleted: {k}" for k in c.failed[:20])
            )
    report.recommendation = recommend(target, report.rows)
    if progress is not None:
        fails = len(report.failures)
        progress.suite_finished(suite, f"{len(report.rows)} questions, {fails} failing")
    return report


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Cleanup must finish even if Ctrl-C is pressed again; the interrupt is delivered after."""
    pending: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


def _with_seconds(row: ProbeRow, seconds: float) -> ProbeRow:
    from dataclasses import replace

    return replace(row, seconds=seconds)


def _lost(target: ProbeTarget, exc: BaseException) -> Exception:
    from ._errors import EndpointUnreachable

    return EndpointUnreachable(f"lost connection to {target.endpoint.url} during the probe: {exc}")
