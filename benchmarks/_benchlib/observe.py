"""Observe one run of a strategy or operation through the gateway's request log.

Every figure comes from the one place all our clients' traffic passes: the gateway. ``server``
time is the sum of the gateway's upstream times (request sent upstream until the response head
came back), ``injected`` the sum of the latency the gateway added on purpose. What is left of the
wall-clock time of a sequential run is the client's own cost (SDK, our code, parsing) plus the
gateway's forwarding overhead. For concurrent runs the sums overlap and exceed wall time; the
client figure is then clipped at zero and the report says so.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any, Protocol, TypeVar

__all__ = ["Observation", "Recorder", "observe", "summarise"]

T = TypeVar("T")


class _Record(Protocol):
    operation: str
    upstream_seconds: float | None
    latency_seconds: float


class _Log(Protocol):
    def mark(self) -> int: ...
    def since(self, mark: int) -> list[Any]: ...
    def clear(self) -> None: ...


@dataclass(frozen=True)
class Observation:
    wall_seconds: float
    requests: dict[str, int]
    server_seconds: float
    injected_seconds: float
    #: Requests that carried ``If-None-Match`` (conditional create).
    conditional: int = 0
    #: HTTP status of every request, in order (``None`` if a request got no response).
    statuses: tuple[int | None, ...] = ()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def client_seconds(self) -> float:
        return max(0.0, self.wall_seconds - self.server_seconds - self.injected_seconds)


def observe(log: _Log, fn: Callable[[], T]) -> tuple[T, Observation]:
    """Run ``fn`` once and return its result with what the gateway saw meanwhile."""
    mark = log.mark()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    records = log.since(mark)
    return result, Observation(
        wall_seconds=wall,
        requests=dict(sorted(Counter(r.operation for r in records).items())),
        server_seconds=sum(r.upstream_seconds or 0.0 for r in records),
        injected_seconds=sum(getattr(r, "latency_seconds", 0.0) or 0.0 for r in records),
        conditional=sum(1 for r in records if "if-none-match" in getattr(r, "headers", {})),
        statuses=tuple(r.status for r in records),
    )


class Recorder:
    """Wraps a callable so that every call (e.g. every benchmark round) is observed and checked.

    ``check`` receives the callable's result and its observation and raises if either is wrong,
    so correctness is asserted on every timed round, not only on a warm-up.
    """

    def __init__(
        self,
        log: _Log,
        fn: Callable[..., T],
        check: Callable[[T, Observation], None] | None = None,
    ) -> None:
        self._log = log
        self._fn = fn
        self._check = check
        self.observations: list[Observation] = []

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        # Keep the log short: ``since`` scans it, and that scan is inside the timed call.
        self._log.clear()
        result, obs = observe(self._log, lambda: self._fn(*args, **kwargs))
        if self._check is not None:
            self._check(result, obs)
        self.observations.append(obs)


def summarise(observations: list[Observation]) -> dict[str, Any]:
    """The ``extra_info`` fields of a case, taken from its fastest round.

    On a shared machine other load only ever adds time, so the fastest round is the one least
    disturbed; its wall, server and client figures are reported together (one coherent round),
    the median wall time alongside. Request counts of a deterministic case are equal in every
    round (the checks assert it where the count is pinned); ``requests_varied`` flags a case where
    they were not.
    """
    if not observations:
        raise ValueError("no observations")
    best = min(observations, key=lambda o: o.wall_seconds)
    return {
        "rounds_observed": len(observations),
        "requests": best.requests,
        "requests_total": best.total_requests,
        "requests_varied": any(o.requests != best.requests for o in observations),
        "wall_seconds": best.wall_seconds,
        "wall_seconds_median": median(o.wall_seconds for o in observations),
        "server_seconds": best.server_seconds,
        "injected_seconds": best.injected_seconds,
        "client_seconds": best.client_seconds,
        "overlapped": any(
            o.server_seconds + o.injected_seconds > o.wall_seconds * 1.05 for o in observations
        ),
    }
