"""The run's private corner of a user's bucket: a unique prefix, and a ledger of what we wrote.

Safety rules this module enforces (the user's bucket may hold production data):

* we write only under one prefix, which must be empty when we start (:meth:`Scratch.claim`);
* every key we write and every multipart upload we open is recorded *before* the request is
  sent, so a request that fails half-way (or a Ctrl-C) still gets cleaned up;
* cleanup deletes exactly the recorded keys and aborts exactly the recorded uploads, never "all
  under the prefix"; whatever is left under the prefix afterwards is reported, not deleted.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ._errors import PrefixNotEmpty, RunError

__all__ = ["CleanupReport", "Scratch", "unique_prefix"]


def unique_prefix(stem: str = "remote-store-harness") -> str:
    """``<stem>/<UTC timestamp>-<random>/``: unique per run, sortable, recognisably ours."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return f"{stem}/{stamp}-{secrets.token_hex(4)}/"


@dataclass
class CleanupReport:
    """What cleanup did: counts, plus keys it could not delete and keys it found but did not own."""

    deleted: int = 0
    aborted_uploads: int = 0
    failed: list[str] = field(default_factory=list)
    foreign_left: list[str] = field(default_factory=list)
    #: Multipart uploads the probe started and could not abort (they keep their parts' storage).
    failed_uploads: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.failed and not self.foreign_left and not self.failed_uploads


class Scratch:
    """Ledger of objects and multipart uploads written under ``prefix`` in ``bucket``."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        if not prefix or not prefix.endswith("/") or prefix.startswith("/"):
            raise RunError(f"scratch prefix must be non-empty, relative and end in '/': {prefix!r}")
        self._client = client
        self.bucket = bucket
        self.prefix = prefix
        self._keys: set[str] = set()
        self._uploads: dict[str, str] = {}  # upload id -> key
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> None:
        """Refuse (PrefixNotEmpty) unless nothing exists under the prefix yet."""
        response = self._client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=2)
        found = [item["Key"] for item in response.get("Contents", [])]
        if found:
            raise PrefixNotEmpty(
                f"prefix s3://{self.bucket}/{self.prefix} is not empty (found {found[0]!r}); "
                "the run writes only under an empty prefix and never deletes what it did not write"
            )
        self._claimed = True

    def key(self, name: str) -> str:
        """Full key for *name* under the prefix, recorded as ours before anything is written."""
        if not self._claimed:
            raise RunError("internal error: scratch prefix used before claim()")
        full = self.prefix + name
        with self._lock:
            self._keys.add(full)
        return full

    def track_upload(self, key: str, upload_id: str) -> None:
        with self._lock:
            self._uploads[upload_id] = key

    def forget_upload(self, upload_id: str) -> None:
        """An upload that was completed or aborted by the probe itself needs no abort later."""
        with self._lock:
            self._uploads.pop(upload_id, None)

    @property
    def written_keys(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._keys)

    def cleanup(self) -> CleanupReport:
        """Abort our uploads, delete our keys (batched), then report what is left over."""
        from botocore import exceptions as bx

        report = CleanupReport()
        with self._lock:
            uploads = dict(self._uploads)
            keys = sorted(self._keys)
        for upload_id, key in uploads.items():
            try:
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
                report.aborted_uploads += 1
            except bx.ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code != "NoSuchUpload":  # NoSuchUpload: already completed or aborted
                    report.failed_uploads.append(f"{key} (upload {upload_id}: {code or exc})")
            except bx.BotoCoreError as exc:
                report.failed_uploads.append(f"{key} (upload {upload_id}: {exc})")
            self.forget_upload(upload_id)
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            try:
                response = self._client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
                errors = [e["Key"] for e in response.get("Errors", [])]
                report.deleted += len(batch) - len(errors)
                for key in errors:
                    self._delete_one(key, report)
            except bx.ClientError:
                # Some services lack DeleteObjects (or want Content-MD5): fall back to one by one.
                for key in batch:
                    self._delete_one(key, report)
            except bx.BotoCoreError:
                # The endpoint is gone: do not try 1,000 single deletes against a dead line.
                report.failed.extend(batch)
        with self._lock:
            self._keys.difference_update(set(keys) - set(report.failed))
        if self._claimed:
            report.foreign_left = self._remaining()
        return report

    def _delete_one(self, key: str, report: CleanupReport) -> None:
        from botocore import exceptions as bx

        try:
            self._client.delete_object(Bucket=self.bucket, Key=key)
            report.deleted += 1
        except (bx.ClientError, bx.BotoCoreError):
            report.failed.append(key)

    def _remaining(self) -> list[str]:
        from botocore import exceptions as bx

        try:
            response = self._client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.prefix, MaxKeys=20
            )
        except (bx.ClientError, bx.BotoCoreError):
            return []
        return [item["Key"] for item in response.get("Contents", [])]
