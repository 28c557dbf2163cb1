"""Name the S3 API operation of an HTTP request, the way the AWS API reference names it.

The gateway only sees HTTP, but tests want to count "ListObjectsV2" or "HeadObject". The rules
follow the S3 REST API: the bucket comes from the Host (virtual-host style) or the first path
segment (path style); sub-resources in the query select the operation.

Virtual-host style is recognised when the host name is not an IP literal and everything after
its first label starts with ``s3.`` / ``s3-`` or is ``localhost`` (``bucket.s3.test``,
``bucket.s3.us-east-1.amazonaws.com``, ``bucket.localhost``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import parse_qsl

__all__ = ["OPERATIONS", "s3_operation", "split_bucket_key"]

# Bucket sub-resources (query keys) -> operation suffix, in precedence order.
_BUCKET_SUBRESOURCES: tuple[tuple[str, str], ...] = (
    ("uploads", "MultipartUploads"),
    ("versions", "ObjectVersions"),
    ("location", "Location"),
    ("versioning", "Versioning"),
    ("policy", "Policy"),
    ("tagging", "Tagging"),
    ("acl", "Acl"),
    ("cors", "Cors"),
    ("lifecycle", "LifecycleConfiguration"),
    ("encryption", "Encryption"),
    ("notification", "NotificationConfiguration"),
    ("website", "Website"),
    ("logging", "Logging"),
    ("replication", "Replication"),
    ("object-lock", "ObjectLockConfiguration"),
    ("ownershipControls", "OwnershipControls"),
    ("publicAccessBlock", "PublicAccessBlock"),
    ("accelerate", "AccelerateConfiguration"),
    ("requestPayment", "RequestPayment"),
)

#: Every name :func:`s3_operation` can return (fault rules are checked against it).
OPERATIONS: frozenset[str] = frozenset(
    {
        "MotoApi", "ListBuckets", "Unknown", "HeadBucket", "DeleteObjects", "PostObject",
        "ListObjectsV2", "ListObjects", "CreateBucket", "DeleteBucket",
        "HeadObject", "ListParts", "GetObjectTagging", "GetObjectAcl", "GetObjectAttributes",
        "GetObject", "UploadPartCopy", "UploadPart", "PutObjectTagging", "PutObjectAcl",
        "CopyObject", "PutObject", "CreateMultipartUpload", "CompleteMultipartUpload",
        "RestoreObject", "SelectObjectContent", "AbortMultipartUpload", "DeleteObjectTagging",
    }
    | {f"List{sub}" for sub in ("MultipartUploads", "ObjectVersions")}
    | {
        f"{verb}Bucket{sub}"
        for verb in ("Get", "Put", "Delete")
        for _, sub in _BUCKET_SUBRESOURCES
        if sub not in ("MultipartUploads", "ObjectVersions")
    }
)  # fmt: skip


def _hostname(host: str) -> str:
    """Host header without port; IPv6 brackets removed."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        return host.rsplit(":", 1)[0]
    return host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _bucket_from_host(host: str) -> str | None:
    """The bucket of a virtual-host request: every label before the first ``s3``/``s3-*`` label.

    Bucket names may hold dots (``dotted.bucket.name.s3.test``), so the boundary is the service
    label, not the first dot.
    """
    name = _hostname(host).lower().rstrip(".")
    if not name or _is_ip(name) or "." not in name:
        return None
    labels = name.split(".")
    if labels[-1] == "localhost" and len(labels) > 1:
        return ".".join(labels[:-1])
    for index, label in enumerate(labels):
        if label == "s3" or label.startswith("s3-"):
            return ".".join(labels[:index]) or None
    return None


def split_bucket_key(host: str, path: str) -> tuple[str | None, str | None]:
    """``(bucket, key)`` addressed by *host* and *path* (key ``None`` when the request targets
    the bucket itself or the service)."""
    bucket = _bucket_from_host(host)
    trimmed = path.lstrip("/")
    if bucket is not None:
        return bucket, trimmed or None
    if not trimmed:
        return None, None
    head, _, rest = trimmed.partition("/")
    return head, rest or None


def s3_operation(
    method: str, host: str, path: str, query: str, headers: Mapping[str, str] | None = None
) -> str:
    """The S3 operation name, e.g. ``ListObjectsV2``; ``Unknown`` when nothing fits.

    *headers* are lower-case request headers (only ``x-amz-copy-source`` is consulted).
    """
    method = method.upper()
    params = {k: v for k, v in parse_qsl(query, keep_blank_values=True)}
    if path.startswith("/moto-api"):
        return "MotoApi"
    bucket, key = split_bucket_key(host, path)
    copy = bool(headers and "x-amz-copy-source" in headers)
    if bucket is None:
        return "ListBuckets" if method == "GET" else "Unknown"
    if key is None:
        return _bucket_operation(method, params)
    return _object_operation(method, params, copy)


def _bucket_operation(method: str, params: Mapping[str, str]) -> str:
    if method == "HEAD":
        return "HeadBucket"
    if method == "POST":
        return "DeleteObjects" if "delete" in params else "PostObject"
    sub = next((suffix for name, suffix in _BUCKET_SUBRESOURCES if name in params), None)
    if method == "GET":
        if sub is None:
            return "ListObjectsV2" if params.get("list-type") == "2" else "ListObjects"
        if sub in ("MultipartUploads", "ObjectVersions"):
            return f"List{sub}"
        return f"GetBucket{sub}"
    if method == "PUT":
        return "CreateBucket" if sub is None else f"PutBucket{sub}"
    if method == "DELETE":
        return "DeleteBucket" if sub is None else f"DeleteBucket{sub}"
    return "Unknown"


def _object_operation(method: str, params: Mapping[str, str], copy: bool) -> str:
    upload = "uploadId" in params
    if method == "HEAD":
        return "HeadObject"
    if method == "GET":
        if upload:
            return "ListParts"
        if "tagging" in params:
            return "GetObjectTagging"
        if "acl" in params:
            return "GetObjectAcl"
        if "attributes" in params:
            return "GetObjectAttributes"
        return "GetObject"
    if method == "PUT":
        if upload and "partNumber" in params:
            return "UploadPartCopy" if copy else "UploadPart"
        if "tagging" in params:
            return "PutObjectTagging"
        if "acl" in params:
            return "PutObjectAcl"
        return "CopyObject" if copy else "PutObject"
    if method == "POST":
        if "uploads" in params:
            return "CreateMultipartUpload"
        if upload:
            return "CompleteMultipartUpload"
        if "restore" in params:
            return "RestoreObject"
        if "select" in params:
            return "SelectObjectContent"
        return "PostObject"
    if method == "DELETE":
        if upload:
            return "AbortMultipartUpload"
        if "tagging" in params:
            return "DeleteObjectTagging"
        return "DeleteObject"
    return "Unknown"
