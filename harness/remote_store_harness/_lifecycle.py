"""The start/stop life cycle shared by harness servers and targets.

Every long-lived harness part (the gateway, the forward proxy, the S3 targets) is started once
and stopped once, and is usable as ``with Part(...) as part:``. The context-manager protocol is
written here only, so that ``with`` always means "start on entry, stop on exit, even on error".
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["StartStop"]


class StartStop:
    """Mixin: subclasses implement :meth:`start` (returning ``self``) and an idempotent
    :meth:`stop`; ``with`` calls them."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
