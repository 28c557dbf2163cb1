"""Latency and fault injection policies consulted by the gateway for every request.

Both are plain data plus a little seeded randomness, so a test can say exactly what it wants:
"the 2nd PutObject answers 503 SlowDown", "every HeadObject waits 20 ms +- 5 ms", "30 % of
requests (seed 7) reset the connection", "drop If-None-Match before moto sees it", "store the
PutObject upstream, then lose its response", "cut the GetObject body after 100 bytes".
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from ._s3ops import OPERATIONS

__all__ = [
    "DEFAULT_ERROR_MESSAGES",
    "REQUEST_KINDS",
    "RESPONSE_KINDS",
    "FaultDecision",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "Latency",
    "RequestFacts",
]

FaultKind = Literal[
    "error",
    "reset",
    "stall",
    "strip_header",
    "truncate",
    "corrupt",
    "drop_response",
    "slow_headers",
]
#: Kinds answered by the gateway itself: the upstream never sees the request.
REQUEST_KINDS: frozenset[str] = frozenset({"error", "reset", "stall"})
#: Kinds that forward the request upstream and then tamper with the response.
RESPONSE_KINDS: frozenset[str] = frozenset({"truncate", "corrupt", "drop_response", "slow_headers"})
_KINDS: frozenset[str] = REQUEST_KINDS | RESPONSE_KINDS | {"strip_header"}

#: The messages real S3 uses for the codes tests inject most.
DEFAULT_ERROR_MESSAGES: dict[str, str] = {
    "SlowDown": "Please reduce your request rate.",
    "InternalError": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Service is unable to handle request.",
    "AccessDenied": "Access Denied",
    "PreconditionFailed": "At least one of the pre-conditions you specified did not hold",
}


@dataclass(frozen=True)
class Latency:
    """Added delay per request: ``fixed_ms`` plus a uniform draw from ``[0, jitter_ms]``.

    With a ``seed`` the sequence of draws is reproducible (one generator per ``Latency`` object,
    shared by all requests, so concurrent requests consume draws in arrival order).
    """

    fixed_ms: float = 0.0
    jitter_ms: float = 0.0
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False, compare=False, hash=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name, value in (("fixed_ms", self.fixed_ms), ("jitter_ms", self.jitter_ms)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        object.__setattr__(self, "_rng", random.Random(self.seed))
        object.__setattr__(self, "_lock", threading.Lock())

    @property
    def is_zero(self) -> bool:
        return self.fixed_ms == 0 and self.jitter_ms == 0

    def sample_seconds(self) -> float:
        """The delay for one request, in seconds."""
        if self.jitter_ms == 0:
            return self.fixed_ms / 1000.0
        with self._lock:
            jitter = self._rng.uniform(0.0, self.jitter_ms)
        return (self.fixed_ms + jitter) / 1000.0


@dataclass(frozen=True)
class RequestFacts:
    """What a fault rule may look at."""

    method: str
    path: str
    operation: str


@dataclass(frozen=True)
class FaultRule:
    """One injection rule. Matching and firing are separate steps:

    * a request *matches* when ``method``, ``path`` (regex, ``re.search`` on the path without
      query) and ``operation`` all fit (``None`` means "any");
    * a matching request is counted (1-based, per rule) and the rule *fires* when every given
      condition holds: ``first`` (count <= first), ``nth`` (count in nth), ``probability``
      (seeded draw < probability). With no condition, every matching request fires.

    Kinds answered without contacting the upstream: ``error`` answers an S3 XML error
    (``status``/``code``/``message``); ``reset`` closes the client connection abruptly (TCP
    RST); ``stall`` holds the request ``stall_seconds`` without answering (no ``100 Continue``
    either), then closes. ``strip_header`` removes ``header`` from the request before
    forwarding it.

    Kinds that forward the request (the upstream acts on it) and tamper with the response:
    ``drop_response`` reads the whole upstream answer and then resets the client connection
    without sending a byte of it (the "lost acknowledgement": the write happened, the client
    cannot know); ``slow_headers`` waits ``stall_seconds`` before sending the response head;
    ``truncate`` sends the head and the first ``after_bytes`` body bytes, then resets;
    ``corrupt`` flips every bit of the body byte at offset ``after_bytes`` (``Content-Length``
    bodies only; the record's ``fault`` label ends in ``:not-applied`` when the body was
    shorter or chunked).

    Every field is validated at construction (``ValueError``): unknown kinds and operation names
    (see ``observe._s3ops.OPERATIONS``), ``nth``/``first`` below 1/0, an ``error`` whose status
    is not an error status (300-599), negative or non-finite durations and offsets.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    operation: str | None = None
    first: int | None = None
    nth: Collection[int] | None = None
    probability: float | None = None
    seed: int | None = None
    status: int = 503
    code: str = "SlowDown"
    message: str | None = None
    header: str | None = None
    stall_seconds: float = 30.0
    after_bytes: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_KINDS)}")
        if self.kind == "strip_header" and not self.header:
            raise ValueError("a strip_header rule needs header=...")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if self.first is not None and self.first < 0:
            raise ValueError("first must be >= 0")
        if self.nth is not None:
            indexes = frozenset(self.nth)
            if not indexes or any(not isinstance(i, int) or i < 1 for i in indexes):
                raise ValueError(f"nth holds 1-based request indexes (>= 1), got {self.nth!r}")
            object.__setattr__(self, "nth", indexes)
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(
                f"unknown S3 operation {self.operation!r}; expected one of {sorted(OPERATIONS)}"
            )
        if not isinstance(self.after_bytes, int) or self.after_bytes < 0:
            raise ValueError(f"after_bytes must be an int >= 0, got {self.after_bytes!r}")
        if self.path is not None:
            try:
                re.compile(self.path)
            except re.error as exc:
                raise ValueError(f"bad path regex {self.path!r}: {exc}") from exc
        if not math.isfinite(self.stall_seconds) or self.stall_seconds < 0:
            raise ValueError(
                f"stall_seconds must be a finite number >= 0, got {self.stall_seconds!r}"
            )
        if self.kind == "error" and not 300 <= self.status <= 599:
            raise ValueError(f"an error fault needs an error status (300-599), got {self.status}")

    @property
    def error_message(self) -> str:
        if self.message is not None:
            return self.message
        return DEFAULT_ERROR_MESSAGES.get(self.code, f"Injected fault ({self.code})")

    @property
    def label(self) -> str:
        """How the gateway log names this fault: ``error:503:SlowDown``, ``reset``, ``stall``,
        ``strip_header:if-none-match``."""
        if self.kind == "error":
            return f"error:{self.status}:{self.code}"
        if self.kind == "strip_header":
            return f"strip_header:{(self.header or '').lower()}"
        if self.kind in ("truncate", "corrupt"):
            return f"{self.kind}:{self.after_bytes}"
        if self.kind == "slow_headers":
            return f"slow_headers:{self.stall_seconds:g}s"
        return self.kind

    def matches(self, facts: RequestFacts) -> bool:
        if self.method is not None and self.method.upper() != facts.method.upper():
            return False
        if self.operation is not None and self.operation != facts.operation:
            return False
        return self.path is None or re.search(self.path, facts.path) is not None


@dataclass(frozen=True)
class FaultDecision:
    """The plan's verdict for one request: headers to strip and at most one terminal fault."""

    strip: tuple[str, ...] = ()
    terminal: FaultRule | None = None
    fired: tuple[FaultRule, ...] = ()

    @property
    def label(self) -> str | None:
        if not self.fired:
            return None
        return ",".join(rule.label for rule in self.fired)


class _RuleState:
    __slots__ = ("fired", "matched", "rng")

    def __init__(self, seed: int | None) -> None:
        self.matched = 0
        self.fired = 0
        self.rng = random.Random(seed)


_NO_FAULT = FaultDecision()


class FaultPlan:
    """An ordered, thread-safe set of :class:`FaultRule` with per-rule counters.

    For each request every rule is evaluated in insertion order. All firing ``strip_header``
    rules apply; of the firing terminal rules (every other kind) the first one wins
    and later terminal rules are not counted as fired (their match counters still advance).
    """

    def __init__(self, rules: Collection[FaultRule] = ()) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[FaultRule, _RuleState]] = []
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> FaultRule:
        """Append *rule* (counters start at zero) and return it (handy for :meth:`remove`)."""
        with self._lock:
            self._rules.append((rule, _RuleState(rule.seed)))
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules = [(r, s) for r, s in self._rules if r is not rule]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [rule for rule, _ in self._rules]

    def fired(self, rule: FaultRule) -> int:
        """How many requests *rule* has acted on so far."""
        with self._lock:
            for candidate, state in self._rules:
                if candidate is rule:
                    return state.fired
        raise KeyError("rule is not part of this plan")

    def decide(self, facts: RequestFacts) -> FaultDecision:
        """Count *facts* against every rule and return what to do with the request."""
        with self._lock:
            if not self._rules:
                return _NO_FAULT
            strip: list[str] = []
            fired: list[FaultRule] = []
            terminal: FaultRule | None = None
            for rule, state in self._rules:
                if not rule.matches(facts):
                    continue
                state.matched += 1
                if not self._fires(rule, state):
                    continue
                if rule.kind == "strip_header":
                    strip.append((rule.header or "").lower())
                elif terminal is None:
                    terminal = rule
                else:
                    continue
                state.fired += 1
                fired.append(rule)
        if not fired:
            return _NO_FAULT
        return FaultDecision(strip=tuple(strip), terminal=terminal, fired=tuple(fired))

    @staticmethod
    def _fires(rule: FaultRule, state: _RuleState) -> bool:
        if rule.first is not None and state.matched > rule.first:
            return False
        if rule.nth is not None and state.matched not in rule.nth:
            return False
        return rule.probability is None or state.rng.random() < rule.probability
