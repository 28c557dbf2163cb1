"""Progress display for ``remote-store-harness run``: per suite and per case, counts, elapsed time.

Two renderings of the same events:

* on a terminal, one status line rewritten in place (suite, done/total, counts, elapsed, current
  case) with failures and suite summaries printed as permanent lines above it;
* anywhere else (CI logs, pipes, tests), one plain line per event, no control characters.

The display writes to its own stream object. The run passes a duplicate of the original stdout
file descriptor, so pytest's output capturing (which redirects fd 1) cannot swallow it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import TextIO

from .._events import ProgressSink, format_elapsed

__all__ = ["Progress", "ProgressSink", "format_elapsed"]

_SYMBOL = {
    "passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "error": "ERROR", "xfailed": "XFAIL",
    "xpassed": "XPASS", "yes": "YES", "no": "NO", "partial": "PART", "n/a": "N/A",
}  # fmt: skip
_BAD = frozenset({"failed", "error", "no"})


class Progress:
    """Render run events as a live status line (TTY) or as plain lines (anything else)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        width: int = 100,
    ) -> None:
        self._stream = stream
        self._tty = stream.isatty() if tty is None else tty
        self._clock = clock
        self._width = width
        self._run_start = clock()
        self._suite = ""
        self._suite_start = self._run_start
        self._total: int | None = None
        self._counts: Counter[str] = Counter()
        self._status_shown = False

    # -- events ----------------------------------------------------------------------------------

    def suite_started(self, suite: str, total: int | None) -> None:
        self._suite, self._total = suite, total
        self._suite_start = self._clock()
        self._counts = Counter()
        self._line(f"[{suite}] started" + (f": {total} cases" if total is not None else ""))

    def suite_collected(self, suite: str, total: int) -> None:
        """The number of cases became known (after pytest's collection)."""
        self._total = total + sum(self._counts.values())  # collection errors count as cases
        self._line(f"[{suite}] collected {total} cases")

    def case_finished(
        self, suite: str, name: str, outcome: str, seconds: float, detail: str = ""
    ) -> None:
        self._counts[outcome] += 1
        done = sum(self._counts.values())
        of = f"/{self._total}" if self._total is not None else ""
        symbol = _SYMBOL.get(outcome, outcome.upper())
        if self._tty:
            if outcome in _BAD:
                self._line(f"  {symbol} {name}" + (f": {detail}" if detail else ""))
            self._status(f"[{suite}] {done}{of} {self._count_text()} {self._elapsed()} {name}")
            return
        suffix = f" -- {detail}" if detail else ""
        self._line(
            f"[{suite} {done}{of} {self._elapsed()}] {symbol} {name} ({seconds:.2f}s){suffix}"
        )

    def suite_finished(self, suite: str, summary: str = "") -> None:
        took = format_elapsed(self._clock() - self._suite_start)
        text = summary or self._count_text()
        self._line(f"[{suite}] finished in {took}: {text}")

    def note(self, text: str) -> None:
        self._line(text)

    # -- rendering -------------------------------------------------------------------------------

    def _count_text(self) -> str:
        return ", ".join(f"{n} {k}" for k, n in sorted(self._counts.items())) or "nothing run"

    def _elapsed(self) -> str:
        return format_elapsed(self._clock() - self._run_start)

    def _status(self, text: str) -> None:
        self._stream.write("\r\x1b[2K" + text[: self._width])
        self._stream.flush()
        self._status_shown = True

    def _line(self, text: str) -> None:
        if self._tty and self._status_shown:
            self._stream.write("\r\x1b[2K")
            self._status_shown = False
        self._stream.write(text + "\n")
        self._stream.flush()
