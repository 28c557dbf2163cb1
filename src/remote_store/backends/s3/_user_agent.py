"""The ``User-Agent`` header, built once per distinct set of request features, not per request.

botocore assembles the header from about a dozen components (SDK, OS, Python, config, and the
"features" the request used, such as a CRC32 checksum) and does it twice for every request: once
when the request is built and again, with the features registered meanwhile, just before it is
sent. Each assembly sanitises every component character by character. Profiled on an ``exists``
miss against ``rclone serve s3`` this was about a fifth of the client's CPU per request
(benchmarks/README.md, "Per-request client cost"), all of it on the one event-loop thread every
request of a backend shares.

The header depends on the client's fixed settings and on the feature set of the request in hand
(botocore keeps it in a context variable). :func:`memoize_user_agent` makes the client's
user-agent builder remember the header per feature set; every header sent is one botocore
would have built for the same inputs (the order of feature codes within ``m/`` follows Python
set order in botocore too, so it was never fixed). If botocore's layout is not the one this was
written against, nothing is changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["memoize_user_agent"]

_log = logging.getLogger("remote_store.backends.s3")

_MAX_VARIANTS = 64
"""Feature sets remembered per client; a client uses a handful (one per kind of request)."""


def _request_features() -> Callable[[], frozenset[str]] | None:
    try:
        from botocore.context import get_context
    except ImportError:  # pragma: no cover - a botocore without request contexts
        return None

    def features() -> frozenset[str]:
        context = get_context()
        return frozenset(context.features) if context is not None else frozenset()

    return features


def memoize_user_agent(client: Any) -> None:
    """Give ``client``'s user-agent builder a memory of the headers it has built, once."""
    creator = getattr(client, "_user_agent_creator", None)
    build = getattr(type(creator), "to_string", None)
    features = _request_features()
    if creator is None or build is None or features is None:
        _log.debug("user-agent memo not installed: unknown botocore layout")
        return
    if getattr(creator, "_remote_store_memo", None) is not None:
        return
    memo: dict[tuple[frozenset[str], frozenset[str]], str] = {}

    def to_string() -> str:
        fixed = frozenset(getattr(creator, "_client_features", None) or ())
        key = (fixed, features())
        header = memo.get(key)
        if header is None:
            header = str(build(creator))
            if len(memo) < _MAX_VARIANTS:
                memo[key] = header
        return header

    creator._remote_store_memo = memo
    creator.to_string = to_string
