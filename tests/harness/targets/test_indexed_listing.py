"""The indexed listing gives exactly moto's answers, only faster.

Two levels: in-process, the indexed functions are compared with moto's own methods on the same
bucket object (identical key objects, flags and continuation tokens, following every page); over
HTTP, a stock and an indexed moto subprocess holding the same keys answer the same listings.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from remote_store_harness.targets import MotoProcessTarget
from remote_store_harness.targets._moto_index import (
    WriteTracker,
    indexed_list_objects,
    indexed_list_objects_v2,
)

TRICKY_KEYS = [
    "a",
    "a/",
    "a//b",
    "a/b/c",
    "a/b/d",
    "a/b/",
    "a/x",
    "a-b",
    "a-b-c",
    "a::b::c",
    "a::d",
    "b",
    "b/c/",
    "b/c/d/e",
    "c.d/e.f",
    "A/B",
    "é/ü",
    "é/z",
    "日本/語/x",
    "日本/語",
    "\U0001f600/emoji",
    "\U0001f600",
    "z~",
    "~top",
    "sp ace/x y",
    "plus+/q?&=",
]


def generated_keys(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    parts = ["a", "b", "é", "x-y", "k", "日", "q::r"]
    keys = set()
    while len(keys) < count:
        depth = rng.randint(1, 4)
        keys.add("/".join(rng.choice(parts) + str(rng.randint(0, 3)) for _ in range(depth)))
    return sorted(keys)


ALL_KEYS = TRICKY_KEYS + generated_keys(100)
PREFIXES = [None, "", "a", "a/", "a/b", "b/", "é", "日本/", "zz", "\U0001f600", "a1/", "x-y"]
DELIMITERS = [None, "/", "-", "::", "b"]
PAGE_SIZES = [0, 1, 3, 1000]
STARTS = [None, "a", "a/b", "b", "é", "k2/"]


@pytest.fixture(scope="module")
def backend_bucket() -> Iterator[tuple[Any, Any]]:
    """A moto backend (private account) with one versioned bucket holding ALL_KEYS.

    Some keys have a delete marker as latest version: moto hides them as keys but still
    derives their common prefixes, and the index must do the same.
    """
    from moto.s3.models import s3_backends

    backend = s3_backends["111122223333"]["aws"]
    name = "index-equivalence-bucket"
    backend.create_bucket(name, "us-east-1")
    backend.put_bucket_versioning(name, "Enabled")
    for key in ALL_KEYS:
        backend.put_object(name, key, key.encode(), disable_notification=True)
    for key in ("a/x", "b/c/d/e", "é/z"):
        backend.delete_object(name, key)  # creates a delete marker
    bucket = backend.get_bucket(name)
    yield backend, bucket
    from remote_store_harness.targets._moto_app import backend_delete_bucket

    backend_delete_bucket(name)


def _shape(result: Any) -> Any:
    """Comparable form: key objects by identity and name, prefixes as strings."""
    if isinstance(result, list):
        return [(item.name, id(item)) if hasattr(item, "name") else item for item in result]
    return result


def _v2_pages(fn: Any, backend: Any, bucket: Any, **params: Any) -> list[Any]:
    pages = []
    token = None
    for _ in range(2000):
        keys, truncated, token_out = fn(
            backend,
            bucket,
            params["prefix"],
            params["delimiter"],
            token,
            params["start_after"],
            params["max_keys"],
        )
        pages.append((_shape(keys), truncated, token_out))
        if not truncated:
            break
        token = token_out
    return pages


def _v1_pages(fn: Any, backend: Any, bucket: Any, **params: Any) -> list[Any]:
    pages = []
    marker = params["start_after"]
    for _ in range(2000):
        keys, folders, truncated, next_marker = fn(
            backend, bucket, params["prefix"], params["delimiter"], marker, params["max_keys"]
        )
        pages.append((_shape(keys), list(folders), truncated, next_marker))
        if not truncated:
            break
        marker = next_marker
    return pages


def test_v2_pages_equal_moto_for_every_parameter_combination(
    backend_bucket: tuple[Any, Any],
) -> None:
    from moto.s3.models import S3Backend

    backend, bucket = backend_bucket
    tracker = WriteTracker()

    def indexed(*args: Any) -> Any:
        return indexed_list_objects_v2(*args, tracker=tracker, fallback=S3Backend.list_objects_v2)

    compared = 0
    for prefix, delimiter, max_keys, start in itertools.product(
        PREFIXES, DELIMITERS, PAGE_SIZES, STARTS
    ):
        params = dict(prefix=prefix, delimiter=delimiter, max_keys=max_keys, start_after=start)
        stock = _v2_pages(S3Backend.list_objects_v2, backend, bucket, **params)
        mine = _v2_pages(indexed, backend, bucket, **params)
        assert mine == stock, params
        compared += len(stock)
    assert compared > 1000


def test_v1_pages_equal_moto_for_every_parameter_combination(
    backend_bucket: tuple[Any, Any],
) -> None:
    from moto.s3.models import S3Backend

    backend, bucket = backend_bucket
    tracker = WriteTracker()

    def indexed(*args: Any) -> Any:
        return indexed_list_objects(*args, tracker=tracker, fallback=S3Backend.list_objects)

    for prefix, delimiter, max_keys, start in itertools.product(
        PREFIXES, DELIMITERS, PAGE_SIZES, STARTS
    ):
        params = dict(prefix=prefix, delimiter=delimiter, max_keys=max_keys, start_after=start)
        stock = _v1_pages(S3Backend.list_objects, backend, bucket, **params)
        assert _v1_pages(indexed, backend, bucket, **params) == stock, params


def test_unknown_continuation_token_is_left_to_moto(backend_bucket: tuple[Any, Any]) -> None:
    from moto.s3.models import S3Backend

    backend, bucket = backend_bucket
    with pytest.raises(TypeError):  # moto's own failure (it compares str > None)
        S3Backend.list_objects_v2(backend, bucket, None, None, "no-such-token", None, 5)
    with pytest.raises(TypeError):
        indexed_list_objects_v2(
            backend,
            bucket,
            None,
            None,
            "no-such-token",
            None,
            5,
            tracker=WriteTracker(),
            fallback=S3Backend.list_objects_v2,
        )


def test_index_is_reused_until_a_write_and_rebuilt_after_it(
    backend_bucket: tuple[Any, Any],
) -> None:
    from moto.s3.models import S3Backend

    backend, bucket = backend_bucket
    tracker = WriteTracker()

    def listing() -> list[str]:
        keys, _, _ = indexed_list_objects_v2(
            backend,
            bucket,
            "new/",
            None,
            None,
            None,
            100,
            tracker=tracker,
            fallback=S3Backend.list_objects_v2,
        )
        return [k.name for k in keys]

    assert listing() == []
    cached = bucket._harness_sorted_names
    assert listing() == [] and bucket._harness_sorted_names is cached
    with tracker.writing():
        backend.put_object(bucket.name, "new/one", b"1", disable_notification=True)
    try:
        assert listing() == ["new/one"]
    finally:
        with tracker.writing():
            bucket.keys.pop("new/one")


# -- over HTTP: a stock and an indexed server with the same contents ------------------------------


@pytest.fixture(scope="module")
def stock_and_indexed() -> Iterator[tuple[Any, Any]]:
    with MotoProcessTarget() as stock, MotoProcessTarget(indexed_listing=True) as indexed:
        clients = []
        for target in (stock, indexed):
            target.create_bucket("same")
            target.populate("same", [(key, len(key)) for key in ALL_KEYS])
            clients.append(
                boto3.client(
                    "s3",
                    endpoint_url=target.endpoint_url,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    region_name="us-east-1",
                    config=Config(proxies={}, retries={"total_max_attempts": 1}),
                )
            )
        yield clients[0], clients[1]


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    response = dict(response)
    response.pop("ResponseMetadata", None)
    for item in response.get("Contents", []):
        item.pop("LastModified", None)
    return response


def _all_pages(client: Any, operation: str, **params: Any) -> list[dict[str, Any]]:
    pages = []
    for _ in range(500):
        response = _strip(getattr(client, operation)(**params))
        pages.append(response)
        if not response.get("IsTruncated"):
            break
        if operation == "list_objects_v2":
            params["ContinuationToken"] = response["NextContinuationToken"]
        else:
            params["Marker"] = response.get("NextMarker") or response["Contents"][-1]["Key"]
    return pages


@pytest.mark.parametrize("operation", ["list_objects_v2", "list_objects"])
def test_indexed_server_answers_like_the_stock_server(
    stock_and_indexed: tuple[Any, Any], operation: str
) -> None:
    stock, indexed = stock_and_indexed
    start_name = "StartAfter" if operation == "list_objects_v2" else "Marker"
    for prefix, delimiter, max_keys, start in itertools.product(
        [None, "a/", "日本/"], [None, "/"], [5, 1000], [None, "a/b"]
    ):
        params: dict[str, Any] = {"Bucket": "same", "MaxKeys": max_keys}
        if prefix is not None:
            params["Prefix"] = prefix
        if delimiter is not None:
            params["Delimiter"] = delimiter
        if start is not None:
            params[start_name] = start
        assert _all_pages(indexed, operation, **params) == _all_pages(stock, operation, **params), (
            params
        )
