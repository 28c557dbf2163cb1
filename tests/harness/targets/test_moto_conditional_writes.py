"""The harness's moto application makes conditional writes atomic (moto alone does not): racing
conditional completes and PUTs of one key have exactly one winner."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from remote_store_harness.endpoint import boto3_client
from remote_store_harness.targets import MotoProcessTarget

RACERS = 24


def _race(action: Callable[[int], None]) -> list[str]:
    """Run ``action(i)`` for RACERS threads released together; outcomes: "won" or an error code."""
    barrier = threading.Barrier(RACERS)

    def one(i: int) -> str:
        barrier.wait()
        try:
            action(i)
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "won"

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(one, range(RACERS)))


@pytest.fixture
def client(moto_process: MotoProcessTarget) -> Any:
    moto_process.create_bucket("race")
    yield boto3_client(moto_process.endpoint, max_pool_connections=RACERS)
    moto_process.delete_bucket("race")


def test_racing_conditional_multipart_completes_have_one_winner(client: Any) -> None:
    uploads = []
    for i in range(RACERS):
        upload_id = client.create_multipart_upload(Bucket="race", Key="k")["UploadId"]
        etag = client.upload_part(
            Bucket="race", Key="k", UploadId=upload_id, PartNumber=1, Body=b"%d" % i
        )["ETag"]
        uploads.append((upload_id, etag))

    def complete(i: int) -> None:
        upload_id, etag = uploads[i]
        client.complete_multipart_upload(
            Bucket="race",
            Key="k",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
            IfNoneMatch="*",
        )

    outcomes = _race(complete)

    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "PreconditionFailed"}


def test_racing_conditional_puts_have_one_winner(client: Any) -> None:
    outcomes = _race(
        lambda i: client.put_object(Bucket="race", Key="p", Body=b"%d" % i, IfNoneMatch="*")
    )

    assert outcomes.count("won") == 1
