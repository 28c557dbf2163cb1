"""Deriving the S3 operation name from an HTTP request."""

from __future__ import annotations

import pytest
from remote_store_harness.observe import s3_operation, split_bucket_key

H = "127.0.0.1:9000"


@pytest.mark.parametrize(
    ("method", "host", "path", "query", "headers", "expected"),
    [
        ("GET", H, "/", "", {}, "ListBuckets"),
        ("PUT", H, "/b", "", {}, "CreateBucket"),
        ("HEAD", H, "/b", "", {}, "HeadBucket"),
        ("DELETE", H, "/b", "", {}, "DeleteBucket"),
        ("GET", H, "/b", "list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", H, "/b", "prefix=a", {}, "ListObjects"),
        ("GET", H, "/b", "uploads", {}, "ListMultipartUploads"),
        ("GET", H, "/b", "versions", {}, "ListObjectVersions"),
        ("GET", H, "/b", "location", {}, "GetBucketLocation"),
        ("PUT", H, "/b", "versioning", {}, "PutBucketVersioning"),
        ("POST", H, "/b", "delete", {}, "DeleteObjects"),
        ("GET", H, "/b/k/x.txt", "", {}, "GetObject"),
        ("HEAD", H, "/b/k", "", {}, "HeadObject"),
        ("PUT", H, "/b/k", "", {}, "PutObject"),
        ("PUT", H, "/b/k", "", {"x-amz-copy-source": "/b/j"}, "CopyObject"),
        ("DELETE", H, "/b/k", "", {}, "DeleteObject"),
        ("POST", H, "/b/k", "uploads", {}, "CreateMultipartUpload"),
        ("PUT", H, "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart"),
        ("PUT", H, "/b/k", "partNumber=1&uploadId=u", {"x-amz-copy-source": "/b/j"},
         "UploadPartCopy"),
        ("POST", H, "/b/k", "uploadId=u", {}, "CompleteMultipartUpload"),
        ("DELETE", H, "/b/k", "uploadId=u", {}, "AbortMultipartUpload"),
        ("GET", H, "/b/k", "uploadId=u", {}, "ListParts"),
        ("GET", H, "/b/k", "tagging", {}, "GetObjectTagging"),
        ("HEAD", "b.s3.test:8443", "/", "", {}, "HeadBucket"),
        ("GET", "b.s3.test:8443", "/", "list-type=2", {}, "ListObjectsV2"),
        ("GET", "b.s3.test", "/k/x", "", {}, "GetObject"),
        ("GET", "s3.test:8443", "/b/k", "", {}, "GetObject"),
        ("GET", "b.localhost:9000", "/k", "", {}, "GetObject"),
        ("POST", H, "/moto-api/reset", "", {}, "MotoApi"),
        ("PATCH", H, "/b/k", "", {}, "Unknown"),
    ],
)  # fmt: skip
def test_operation_names(method, host, path, query, headers, expected) -> None:
    assert s3_operation(method, host, path, query, headers) == expected


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("127.0.0.1:9000", "/b/a/b.txt", ("b", "a/b.txt")),
        ("[::1]:9000", "/b", ("b", None)),
        ("photos.s3.test:443", "/a/b.txt", ("photos", "a/b.txt")),
        ("photos.s3.us-east-1.amazonaws.com", "/", ("photos", None)),
        ("s3.us-east-1.amazonaws.com", "/photos/x", ("photos", "x")),
        ("localhost:9000", "/", (None, None)),
    ],
)
def test_bucket_and_key_by_addressing_style(host, path, expected) -> None:
    assert split_bucket_key(host, path) == expected
