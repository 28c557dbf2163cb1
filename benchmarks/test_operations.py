"""Per-operation benchmark: our Store vs raw boto3 vs raw s3fs, in requests and seconds.

No latency is added: the figure of interest is our layer's own price (extra requests, extra
client time) on top of the raw clients, and the report turns it into the ratio ours/raw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _benchlib.env import BenchEnv
from _benchlib.observe import Observation
from _benchlib.operations import CLIENTS, OPERATIONS, OpEnv


@pytest.fixture(scope="session")
def op_env(bench_env: BenchEnv) -> Iterator[OpEnv]:
    bucket = "bench-ops"
    bench_env.target.create_bucket(bucket)
    yield OpEnv(
        bucket=bucket,
        make_store=lambda: bench_env.store(bucket),
        boto3=bench_env.boto3_client(),
        s3fs=bench_env.s3fs(),
        admin=bench_env.admin_client(),
    )


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("op_name", list(OPERATIONS))
def test_operation(op_env: OpEnv, run_case: Any, latency: Any, op_name: str, client: str) -> None:
    case = OPERATIONS[op_name]
    impl = case.run[client]
    pinned = case.pinned.get(client)
    conditional = case.conditional.get(client)
    calls: list[tuple[Any, ...]] = []

    def setup() -> tuple[Any, ...]:
        args = case.setup(op_env)
        calls.append(args)
        return args

    def call(*args: Any) -> Any:
        return impl(op_env, *args)

    def check(result: Any, obs: Observation) -> None:
        case.verify(result, *calls[-1])
        assert all(s is not None and s < 500 for s in obs.statuses), (
            f"{op_name} via {client}: 5xx or reset: {obs.requests} {obs.statuses}"
        )
        if pinned is not None:
            assert obs.requests == pinned, (
                f"{op_name} via {client}: requests {obs.requests}, expected {pinned}"
            )
        if conditional is not None:
            assert obs.conditional == conditional, (
                f"{op_name} via {client}: {obs.conditional} conditional requests, "
                f"expected {conditional}"
            )

    latency(0)
    run_case(
        call,
        setup=setup,
        check=check,
        rounds=case.rounds,
        group=f"operation {op_name}",
        extra={
            "kind": "operation",
            "operation": op_name,
            "client": client,
            "raw": client != "store",
            "bytes": case.size,
            "latency_ms": 0,
            "pinned_requests": pinned,
        },
    )
    case.after(op_env, *calls[-1])
