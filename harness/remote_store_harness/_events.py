"""What a run reports as it goes, and the one duration format every rendering of it shares.

The probe and the suite runner emit events to a :class:`ProgressSink`; the CLI renders them
(``cli._progress.Progress``) and tests record them. Both live below the parts that emit, so the
emitters need not import the CLI that sits on top of them. :func:`format_duration` is here for the
same reason: the live display, the run report and the benchmark report print durations through
it (``clock=True``: the ``mm:ss`` of wall-clock time; otherwise a human scale), so one duration
never reads two ways.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressSink", "format_duration", "format_elapsed"]


class ProgressSink(Protocol):
    """What the run reports to; :class:`~remote_store_harness.cli._progress.Progress` renders it,
    tests may record it."""

    def suite_started(self, suite: str, total: int | None) -> None: ...

    def suite_collected(self, suite: str, total: int) -> None: ...

    def case_finished(
        self, suite: str, name: str, outcome: str, seconds: float, detail: str = ""
    ) -> None: ...

    def suite_finished(self, suite: str, summary: str = "") -> None: ...

    def note(self, text: str) -> None: ...


def format_duration(seconds: float, *, clock: bool = False) -> str:
    """A duration for people.

    ``clock=True``: ``mm:ss`` of wall-clock time (minutes keep counting past 59: ``75:03``).
    Otherwise a human scale with three significant digits below a minute (``12.3 ms``,
    ``4.57 s``), then one decimal (``1.5 min``, ``2.0 h``, ``3.1 d``).
    """
    if clock:
        minutes, secs = divmod(int(seconds), 60)
        return f"{minutes:02d}:{secs:02d}"
    if seconds < 0.9995:  # below that, 3 digits of ms would round up to "1e+03"
        return f"{seconds * 1000:.3g} ms"
    if seconds < 59.95:
        return f"{seconds:.3g} s"
    for limit, unit, div in ((3600, "min", 60), (86400, "h", 3600)):
        if seconds < limit:
            return f"{seconds / div:.1f} {unit}"
    return f"{seconds / 86400:.1f} d"


def format_elapsed(seconds: float) -> str:
    """``mm:ss`` of a wall-clock duration: :func:`format_duration` with ``clock=True``."""
    return format_duration(seconds, clock=True)
