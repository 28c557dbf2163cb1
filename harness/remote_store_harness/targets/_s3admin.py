"""Bucket administration over the S3 API (boto3), for targets that have no private back door."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..endpoint import Endpoint, boto3_client
from ._base import PopulateItem, synthetic_body
from ._moto_common import batched

__all__ = ["admin_client", "create_bucket", "delete_bucket_with_contents", "put_many"]


def admin_client(endpoint: Endpoint) -> Any:
    """The client a target manages its buckets with: never an environment proxy or CA, a small
    retry budget, and enough connections for :func:`put_many`'s thread pool."""
    return boto3_client(endpoint, retries={"total_max_attempts": 2}, max_pool_connections=16)


def create_bucket(client: Any, name: str, region: str) -> None:
    """Create ``name``; an existing bucket owned by us is fine."""
    kwargs: dict[str, Any] = {"Bucket": name}
    if region and region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(**kwargs)


def delete_bucket_with_contents(client: Any, name: str) -> None:
    """Delete every object version, delete marker and upload in ``name``, then ``name`` itself."""
    from botocore.exceptions import ClientError

    try:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            for start in range(0, len(doomed), 1000):
                client.delete_objects(
                    Bucket=name, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
                )
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                client.abort_multipart_upload(
                    Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                )
        client.delete_bucket(Bucket=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchBucket", "404"):
            return
        raise


def put_many(client: Any, bucket: str, items: Iterable[PopulateItem], threads: int = 8) -> int:
    """PUT every item with a small thread pool (the only way in without server access)."""

    def put(item: PopulateItem) -> None:
        key, body = item
        data = body if isinstance(body, bytes) else synthetic_body(key, body)
        client.put_object(Bucket=bucket, Key=key, Body=data)

    count = 0
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for batch in batched(items, 256):
            list(pool.map(put, batch))
            count += len(batch)
    return count
