"""The indexed listing the benchmarks run on answers our trees exactly like stock moto.

The harness' own tests compare the index with moto on tricky keys and every parameter
combination; this check repeats it on the very trees we measure, so the report may say the
listing figures were taken on a target whose answers are moto's. Both servers are asked
directly (not through the gateway), page by page: keys, sizes, common prefixes, key counts and
truncation must be equal for the flat stream and for the delimiter listing of every folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _benchlib.env import BenchEnv
from _benchlib.trees import OBJECT_SIZE, PREFIX, TREE_NAMES, build_tree


def _client(target: Any) -> Any:
    import boto3
    from botocore.config import Config

    c = target.credentials
    return boto3.client(
        "s3",
        endpoint_url=target.endpoint_url,
        aws_access_key_id=c.access_key,
        aws_secret_access_key=c.secret_key,
        region_name=c.region,
        config=Config(proxies={}),
    )


def _pages(client: Any, bucket: str, prefix: str, delimiter: str | None) -> list[Any]:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimiter:
        kwargs["Delimiter"] = delimiter
    pages = []
    for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
        pages.append(
            (
                [(o["Key"], o["Size"], o["ETag"]) for o in page.get("Contents", ())],
                [p["Prefix"] for p in page.get("CommonPrefixes", ())],
                page["KeyCount"],
                page["IsTruncated"],
            )
        )
    return pages


@pytest.fixture(scope="module")
def stock_target(bench_env: BenchEnv) -> Iterator[Any]:
    if bench_env.listing_mode != "indexed":
        pytest.skip("the benchmarks run on stock moto (--bench-listing=stock): nothing to compare")
    from remote_store_harness.targets import MotoProcessTarget

    target = MotoProcessTarget(indexed_listing=False).start()
    try:
        yield target
    finally:
        target.stop()


@pytest.mark.parametrize("verify_tree", TREE_NAMES)
def test_indexed_listing_answers_the_tree_like_stock_moto(
    bench_env: BenchEnv, stock_target: Any, verify_tree: str
) -> None:
    tree = build_tree(verify_tree, "ci")
    bucket = f"verify-{verify_tree}"
    for target in (bench_env.target, stock_target):
        target.create_bucket(bucket)
        target.populate(bucket, ((k, OBJECT_SIZE) for k in tree.keys))
    indexed, stock = _client(bench_env.target), _client(stock_target)
    try:
        flat = _pages(indexed, bucket, f"{PREFIX}/", None)
        assert flat == _pages(stock, bucket, f"{PREFIX}/", None)
        assert sum(len(p[0]) for p in flat) == tree.objects
        for folder in (PREFIX, *tree.folders):
            prefix = f"{folder}/"
            assert _pages(indexed, bucket, prefix, "/") == _pages(stock, bucket, prefix, "/"), (
                f"delimiter listing of {prefix} differs"
            )
    finally:
        for target in (bench_env.target, stock_target):
            target.delete_bucket(bucket)
