"""Options, parametrisation and shared fixtures of the benchmarks.

``pytest benchmarks/`` runs them (``pytest`` alone runs ``tests/`` only, see ``testpaths``).
Smoke mode (``--benchmark-disable`` or ``--bench-smoke``) runs every case once and asserts what
is deterministic: the set of files found and the number of requests of each kind. Nothing here
ever asserts a timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from _benchlib.env import BenchEnv, start_env
from _benchlib.observe import Observation, Recorder, summarise
from _benchlib.strategies import STRATEGIES, Clients
from _benchlib.trees import OBJECT_SIZE, SIZES, TREE_NAMES, Tree, build_tree
from remote_store_harness.pytest_plugin import scrub_environment


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("remote-store benchmarks")
    group.addoption(
        "--bench-size",
        choices=SIZES,
        default="ci",
        help="tree sizes: ci (~2,000 objects each, default) or full (~20,000)",
    )
    group.addoption(
        "--bench-smoke",
        action="store_true",
        default=False,
        help="run every case once, assert file sets and request counts, no timing "
        "(implied by --benchmark-disable)",
    )
    group.addoption(
        "--bench-latencies",
        default="0,5,20",
        help="comma-separated latencies in ms the gateway adds per request",
    )
    group.addoption(
        "--bench-trees",
        default=",".join(TREE_NAMES),
        help=f"comma-separated subset of {','.join(TREE_NAMES)}",
    )
    group.addoption(
        "--bench-strategies",
        default=",".join(STRATEGIES),
        help="comma-separated subset of the listing strategies",
    )
    group.addoption(
        "--bench-listing",
        choices=("indexed", "stock"),
        default="indexed",
        help="moto listing implementation: indexed (harness sorted-key index, same "
        "answers as moto) or stock (moto scans the bucket on every call)",
    )
    group.addoption(
        "--bench-rounds",
        type=int,
        default=3,
        help="timed rounds per listing case (operations use more for small ones)",
    )
    group.addoption(
        "--bench-peer-python",
        default=None,
        help="Python of the peer env (benchmarks/peer/tox.ini) to compare with remote-store 0.33.0",
    )
    group.addoption(
        "--bench-stream-mib",
        type=int,
        default=None,
        help="size of the streaming write/read case (default: 1024 with "
        "--bench-size=full, else 64)",
    )


def _csv(config: pytest.Config, name: str) -> list[str]:
    return [v.strip() for v in str(config.getoption(name)).split(",") if v.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    config = metafunc.config
    if "tree_name" in metafunc.fixturenames:
        trees = _csv(config, "--bench-trees")
        unknown = set(trees) - set(TREE_NAMES)
        if unknown:
            raise pytest.UsageError(f"--bench-trees: unknown {sorted(unknown)}")
        metafunc.parametrize("tree_name", trees)
    if "strategy_name" in metafunc.fixturenames:
        names = _csv(config, "--bench-strategies")
        unknown = set(names) - set(STRATEGIES)
        if unknown:
            raise pytest.UsageError(f"--bench-strategies: unknown {sorted(unknown)}")
        metafunc.parametrize("strategy_name", names)
    if "latency_ms" in metafunc.fixturenames:
        values = [int(v) for v in _csv(config, "--bench-latencies")]
        metafunc.parametrize("latency_ms", values, ids=[f"{v}ms" for v in values])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Full-size traversals at 20 ms take minutes; the suite-wide 300 s timeout is for tests.
    for item in items:
        item.add_marker(pytest.mark.timeout(3600))


@pytest.fixture(scope="session", autouse=True)
def _scrubbed_process_environment() -> Iterator[None]:
    """Session-wide: the clients are built once per session, so the scrub must be too."""
    with pytest.MonkeyPatch.context() as mp:
        scrub_environment(mp)
        yield


@pytest.fixture(scope="session")
def smoke(pytestconfig: pytest.Config) -> bool:
    return bool(
        pytestconfig.getoption("--bench-smoke") or pytestconfig.getoption("benchmark_disable")
    )


@pytest.fixture(scope="session")
def bench_env(
    _scrubbed_process_environment: None, pytestconfig: pytest.Config
) -> Iterator[BenchEnv]:
    pytest.importorskip("s3fs")
    pytest.importorskip("moto")
    indexed = pytestconfig.getoption("--bench-listing") == "indexed"
    env = start_env(indexed_listing=indexed)
    try:
        yield env
    finally:
        env.stop()


@dataclass
class Trees:
    """Lazily populated listing trees, one bucket each, shared by all listing cases."""

    env: BenchEnv
    size: str
    _cache: dict[str, tuple[Tree, Clients]] = field(default_factory=dict)
    _boto3: Any = None
    _s3fs: Any = None

    def get(self, name: str) -> tuple[Tree, Clients]:
        if name not in self._cache:
            tree = build_tree(name, self.size)
            bucket = f"bench-{name}-{self.size}"
            self.env.target.create_bucket(bucket)
            stored = self.env.target.populate(bucket, ((k, OBJECT_SIZE) for k in tree.keys))
            assert stored == tree.objects
            if self._boto3 is None:
                self._boto3 = self.env.boto3_client()
                self._s3fs = self.env.s3fs()
            clients = Clients(lambda: self.env.store(bucket), self._boto3, self._s3fs, bucket)
            self._cache[name] = (tree, clients)
        return self._cache[name]


@pytest.fixture(scope="session")
def trees(bench_env: BenchEnv, pytestconfig: pytest.Config) -> Trees:
    return Trees(bench_env, str(pytestconfig.getoption("--bench-size")))


@pytest.fixture
def latency(bench_env: BenchEnv) -> Iterator[Callable[[float], None]]:
    """Set the gateway's added latency for this case; always reset to zero afterwards."""
    try:
        yield bench_env.set_latency_ms
    finally:
        bench_env.set_latency_ms(0)


RunCase = Callable[..., list[Observation]]


@pytest.fixture
def run_case(benchmark: Any, bench_env: BenchEnv, smoke: bool) -> RunCase:
    """Run one case: observed and checked on every call, timed by pytest-benchmark unless smoke.

    ``fn(*args)`` is the measured call; ``setup()`` (untimed, and its traffic bypasses the
    gateway) returns ``args`` for one call; ``check(result, observation)`` raises on a wrong
    result or request count. Outside smoke mode one untimed warm-up call (checked too) precedes
    the timed rounds, so connection set-up is not measured.
    """

    def run(
        fn: Callable[..., Any],
        *,
        check: Callable[[Any, Observation], None],
        rounds: int,
        extra: dict[str, Any],
        group: str,
        setup: Callable[[], tuple[Any, ...]] | None = None,
    ) -> list[Observation]:
        recorder = Recorder(bench_env.log, fn, check)
        benchmark.group = group
        if smoke:
            # Disabled, pedantic() makes exactly one untimed call (with its setup).
            benchmark.disabled = True
        else:
            recorder(*(setup() if setup else ()))
            recorder.observations.clear()
        benchmark.pedantic(
            recorder,
            setup=(lambda: (setup(), {})) if setup else None,
            rounds=rounds,
            iterations=1,
            warmup_rounds=0,
        )
        benchmark.extra_info.update(extra)
        benchmark.extra_info["listing_mode"] = bench_env.listing_mode
        benchmark.extra_info["smoke"] = smoke
        benchmark.extra_info.update(summarise(recorder.observations))
        return recorder.observations

    return run


@pytest.fixture(scope="session")
def stream_mib(pytestconfig: pytest.Config) -> int:
    value = pytestconfig.getoption("--bench-stream-mib")
    if value is not None:
        return int(value)
    return 1024 if pytestconfig.getoption("--bench-size") == "full" else 64
