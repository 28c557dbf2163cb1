"""Waiting for a freshly started server to answer: one polling loop for every target."""

from __future__ import annotations

import time
from collections.abc import Callable

from ._base import TargetError, TargetStartError

__all__ = ["wait_until_ready"]


def wait_until_ready(
    probe: Callable[[], object], deadline: float, what: str, *, interval: float = 0.02
) -> None:
    """Call ``probe`` until it returns (whatever it returns) or ``deadline`` (monotonic) passes.

    ``probe`` signals "not yet" by raising :class:`OSError` (nothing listens yet, connection
    reset) or :class:`TargetError` (it answered, but not as a ready server does); anything else is
    a bug and propagates. :class:`TargetStartError` means "never" (the server process exited):
    it propagates at once instead of waiting for the deadline. Giving up raises
    :class:`TargetStartError` naming the last reason, which is what a person needs to tell
    "never bound" from "bound but unhealthy".
    """
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            probe()
            return
        except TargetStartError:
            raise
        except (OSError, TargetError) as exc:
            last = exc
            time.sleep(interval)
    raise TargetStartError(f"{what} did not become ready in time (last error: {last})")
