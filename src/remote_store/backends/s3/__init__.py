"""The S3 backend over s3fs/aiobotocore: options, error mapping, listing, multipart upload and
streaming reads, each in its own module. s3fs (and with it aiobotocore) is imported when the
first client is built, not when this package is."""

from __future__ import annotations

from ._backend import S3Backend

__all__ = ["S3Backend"]
