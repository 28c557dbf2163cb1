"""The S3 backend over s3fs/aiobotocore: options, error mapping, listing, multipart upload and
streaming reads, each in its own module. Importing this package imports s3fs."""

from __future__ import annotations

from ._backend import S3Backend

__all__ = ["S3Backend"]
