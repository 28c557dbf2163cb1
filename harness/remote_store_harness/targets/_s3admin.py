"""Bucket administration over the S3 API (boto3), for targets that have no private back door."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._base import Credentials, PopulateItem, synthetic_body
from ._moto_common import batched

__all__ = [
    "create_bucket",
    "delete_bucket_with_contents",
    "isolated_boto3_session",
    "make_client",
    "put_many",
]


def isolated_boto3_session() -> Any:
    """A boto3 session that ignores ``AWS_PROFILE`` (an unknown profile would break the client).

    Harness clients always get explicit credentials, endpoint and config; a profile named in the
    environment must not be able to veto or alter them.
    """
    import boto3
    import botocore.session

    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return boto3.session.Session(botocore_session=core)


def make_client(
    endpoint_url: str,
    credentials: Credentials,
    ca_path: str | None = None,
    *,
    proxy_url: str | None = None,
    addressing: str = "path",
) -> Any:
    """A boto3 S3 client to ``endpoint_url``: never an environment proxy, only ``proxy_url``."""
    from botocore.config import Config

    verify: bool | str = ca_path if ca_path else True
    proxies = {"http": proxy_url, "https": proxy_url} if proxy_url else {}
    return isolated_boto3_session().client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        region_name=credentials.region,
        verify=verify,
        config=Config(
            proxies=proxies,
            s3={"addressing_style": addressing},
            retries={"total_max_attempts": 2},
            max_pool_connections=16,
        ),
    )


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
