"""What a run reports as it goes, and the clock format every rendering of it shares.

The probe and the suite runner emit events to a :class:`ProgressSink`; the CLI renders them
(``cli._progress.Progress``) and tests record them. Both live below the parts that emit, so the
emitters need not import the CLI that sits on top of them. :func:`format_elapsed` is here for the
same reason: the live display and the run report must print the same ``mm:ss`` for one duration.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressSink", "format_elapsed"]


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


def format_elapsed(seconds: float) -> str:
    """``mm:ss`` of a wall-clock duration (minutes keep counting past 59: ``75:03``)."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"
