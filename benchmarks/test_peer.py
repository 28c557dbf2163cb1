"""Optional peer comparison: remote-store 0.33.0 (PyPI) on the same target, same gateway.

Runs only with ``--bench-peer-python=PATH`` (the Python of the tox env in ``benchmarks/peer/``,
where the peer is installed: it has our import name, so it never shares an environment with us).
Each case starts ``benchmarks/peer/runner.py`` once; the runner times its own rounds (the first
is a warm-up) and reports their wall-clock spans, which this test matches with the gateway's
log to count each round's requests. The results are stored like ours, with strategies and
clients prefixed ``peer-``/``peer``, so the report puts them in the same tables.

pytest-benchmark times only a no-op for these cases (it cannot see inside the subprocess), so
``--benchmark-compare`` says nothing about them; the report uses the runner's own per-round
figures (``wall_seconds``).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from _benchlib.env import BenchEnv
from _benchlib.observe import Observation, summarise
from _benchlib.operations import OPERATIONS
from _benchlib.strategies import STRATEGIES
from _benchlib.trees import PREFIX

RUNNER = Path(__file__).parent / "peer" / "runner.py"
STORE_STRATEGIES = [name for name, s in STRATEGIES.items() if not s.raw]


@pytest.fixture(scope="session")
def peer_python(pytestconfig: pytest.Config) -> str:
    python = pytestconfig.getoption("--bench-peer-python")
    if not python:
        pytest.skip(
            "no peer environment: build it with `tox -c benchmarks/peer/tox.ini -e peer "
            "--workdir /tmp/peer-tox` and pass --bench-peer-python=/tmp/peer-tox/peer/bin/python"
        )
    return str(python)


def _run_peer(
    python: str, env: BenchEnv, bucket: str, argv: list[str], rounds: int
) -> tuple[list[dict[str, Any]], list[Observation], str]:
    options = env.topology.s3_options(bucket)
    options["admin_endpoint"] = env.target.endpoint_url
    env.log.clear()
    mark = env.log.mark()
    proc = subprocess.run(
        [python, str(RUNNER), "--options", json.dumps(options), "--rounds", str(rounds), *argv],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert proc.returncode == 0, f"peer runner failed:\n{proc.stderr[-3000:]}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    records = env.log.since(mark)
    observations = []
    for r in out["rounds"]:
        mine = [x for x in records if r["start"] <= x.started_at <= r["end"]]
        observations.append(
            Observation(
                wall_seconds=r["wall"],
                requests=dict(sorted(Counter(x.operation for x in mine).items())),
                server_seconds=sum(x.upstream_seconds or 0.0 for x in mine),
                injected_seconds=sum(x.latency_seconds for x in mine),
                statuses=tuple(x.status for x in mine),
            )
        )
    return out["rounds"], observations, str(out["version"])


@pytest.mark.parametrize("peer_strategy", STORE_STRATEGIES)
def test_peer_listing(
    peer_python: str,
    bench_env: BenchEnv,
    trees: Any,
    latency: Any,
    benchmark: Any,
    tree_name: str,
    peer_strategy: str,
    latency_ms: int,
    pytestconfig: pytest.Config,
    smoke: bool,
) -> None:
    tree, clients = trees.get(tree_name)
    strategy = STRATEGIES[peer_strategy]
    rounds = 1 if smoke else int(pytestconfig.getoption("--bench-rounds")) + 1
    latency(latency_ms)
    argv = ["--kind", "listing", "--case", peer_strategy, "--prefix", PREFIX]
    argv += ["--max-depth", str(tree.max_depth), "--keys"]
    results, observations, version = _run_peer(peer_python, bench_env, clients.bucket, argv, rounds)
    for r in results:
        assert frozenset(r["found"]) == frozenset(tree.keys), f"peer {peer_strategy}: wrong files"
    benchmark.extra_info.update(
        {
            "kind": "listing",
            "tree": tree_name,
            "size": tree.size,
            "strategy": f"peer-{peer_strategy}",
            "shape": strategy.shape,
            "raw": False,
            "concurrency": strategy.concurrency,
            "latency_ms": latency_ms,
            "objects": tree.objects,
            "folders": len(tree.folders) + 1,
            "listing_mode": bench_env.listing_mode,
            "peer_version": version,
            **summarise(observations[1:] or observations),
        }
    )
    benchmark.group = f"peer listing {tree_name} {latency_ms}ms"
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


@pytest.mark.parametrize("op_name", list(OPERATIONS))
def test_peer_operation(
    peer_python: str,
    bench_env: BenchEnv,
    latency: Any,
    benchmark: Any,
    op_name: str,
    smoke: bool,
) -> None:
    case = OPERATIONS[op_name]
    bucket = "bench-peer-ops"
    bench_env.target.create_bucket(bucket)
    rounds = 1 if smoke else case.rounds + 1
    latency(0)
    _, observations, version = _run_peer(
        peer_python, bench_env, bucket, ["--kind", "operation", "--case", op_name], rounds
    )
    timed = observations[1:] or observations
    benchmark.extra_info.update(
        {
            "kind": "operation",
            "operation": op_name,
            "client": "peer",
            "raw": False,
            "bytes": case.size,
            "latency_ms": 0,
            "peer_version": version,
            **summarise(timed),
        }
    )
    benchmark.group = f"operation {op_name}"
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
