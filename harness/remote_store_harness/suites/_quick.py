"""What ``remote-store-harness run --quick`` selects from each pytest suite, in one table.

The quick run must stay short (about a minute of run time on an idle 2-core machine) and still
touch every embedded topology (plain HTTP, TLS, forward proxy, virtual-host addressing) and the
flat-vs-traversal listing comparison in request counts. Each :class:`QuickSelection` says which
files of a suite run, which pytest arguments narrow them, and, in words, what that covers; the
run applies the first two and writes the third into the report, README and ``run --help`` cite
the same. The full run (no ``--quick``) ignores this table.

The ``-k`` expressions match parametrisation ids, so a renamed id would silently drop cases:
``tests/cli_run/test_quick_selection.py`` collects each selection and pins what it must contain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["QUICK", "QUICK_CONFORMANCE_IDS", "QuickSelection"]

#: Conformance ids of the quick embedded run: the in-memory reference, the endpoint in plain
#: HTTP, and one S3 topology stacking TLS (harness CA), the forward proxy (CONNECT) and
#: virtual-host addressing (``<bucket>.s3.test``, resolved by the proxy).
QUICK_CONFORMANCE_IDS = ("memory", "s3-http", "s3-tls-proxy-virtual")


@dataclass(frozen=True)
class QuickSelection:
    """One suite's quick subset: ``files`` (relative to the suite; empty = all), pytest
    ``args``, and ``covers``: what the subset exercises, for the report."""

    files: tuple[str, ...]
    args: tuple[str, ...]
    covers: str


#: The listing comparison: flat stream against traversal (sequential and threaded), one tree.
_BENCH_ARGS = (
    *("--bench-trees", "wide"),
    *("--bench-strategies", "store-recursive,store-traversal-seq,store-traversal-16"),
    *("--bench-latencies", "5"),
    *("--bench-rounds", "1"),
)


def _any_of(ids: tuple[str, ...]) -> str:
    return " or ".join(ids)


QUICK: Mapping[str, QuickSelection] = {
    "conformance": QuickSelection(
        files=(),
        args=("-m", "not slow", "-k", _any_of(QUICK_CONFORMANCE_IDS)),
        covers="every conformance test except those marked slow, on "
        + ", ".join(QUICK_CONFORMANCE_IDS),
    ),
    "scenarios": QuickSelection(
        files=(),
        # Squid duplicates the harness proxy's cases with a second proxy; the retry-backoff and
        # cache-TTL cases wait for real time (about 35 s of the full suite between them). "ttl-"
        # is the id prefix: the test's name holds "ttl" too, and its invalidate cases stay.
        args=("-m", "not slow", "-k", "not squid and not slowdown and not ttl-"),
        covers="every scenario file (addressing, CA bundles, proxies, listing caches, on-prem "
        "end to end) on the harness' own proxy; without the Squid variants, the retry-backoff "
        "and the cache-TTL cases",
    ),
    "bench": QuickSelection(
        files=("test_listing.py",),
        args=_BENCH_ARGS,
        covers="listing only: the flat stream against folder-by-folder traversal (sequential "
        "and 16 threads) on the wide tree (2,000 objects, 201 folders) at 5 ms added latency, "
        "request counts asserted, one timed round",
    ),
}
