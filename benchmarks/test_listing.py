"""Listing benchmark: flat paginated stream vs folder-by-folder traversal (and raw baselines).

Every strategy must return exactly the tree's keys, and make exactly the number of ListObjectsV2
calls its shape implies (see ``_benchlib.trees``); both are checked on every round. Latency is
added by the gateway per request.
"""

from __future__ import annotations

from typing import Any

from _benchlib.observe import Observation
from _benchlib.strategies import STRATEGIES
from _benchlib.trees import PREFIX


def test_listing(
    trees: Any,
    run_case: Any,
    latency: Any,
    tree_name: str,
    strategy_name: str,
    latency_ms: int,
    pytestconfig: Any,
) -> None:
    tree, clients = trees.get(tree_name)
    strategy = STRATEGIES[strategy_name]
    expected_keys = frozenset(tree.keys)
    pages = tree.flat_requests() if strategy.shape == "flat" else tree.traversal_requests()
    expected_requests = {"ListObjectsV2": pages}

    def check(found: frozenset[str], obs: Observation) -> None:
        missing, extra = expected_keys - found, found - expected_keys
        assert not missing and not extra, (
            f"{strategy_name} on {tree_name}: {len(missing)} missing (e.g. {sorted(missing)[:3]}),"
            f" {len(extra)} unexpected (e.g. {sorted(extra)[:3]})"
        )
        assert obs.requests == expected_requests, (
            f"{strategy_name} on {tree_name}: requests {obs.requests}, expected {expected_requests}"
        )

    rounds = int(pytestconfig.getoption("--bench-rounds"))
    if pages <= 10:  # a few requests: cheap, and noisier relative to its length
        rounds = 2 * rounds + 1
    latency(latency_ms)
    run_case(
        strategy.run,
        setup=lambda: (clients, PREFIX, tree.max_depth),
        check=check,
        rounds=rounds,
        group=f"listing {tree_name} {latency_ms}ms",
        extra={
            "kind": "listing",
            "tree": tree_name,
            "size": tree.size,
            "strategy": strategy_name,
            "shape": strategy.shape,
            "raw": strategy.raw,
            "concurrency": strategy.concurrency,
            "description": strategy.description,
            "latency_ms": latency_ms,
            "objects": tree.objects,
            "folders": len(tree.folders) + 1,
            "expected_requests": pages,
        },
    )
