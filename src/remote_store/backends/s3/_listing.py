"""Listing strategies for a flat key space (``docs/contract.md`` §9, IO-3/5/6).

* Shallow (``recursive=False``, ``iter_children``, ``list_folders``): one
  ``ListObjectsV2`` with ``Delimiter="/"`` per 1,000 entries.
* Recursive (``list_files(recursive=True)``, recursive ``glob``,
  ``get_folder_info``): one flat stream without delimiter, one request per
  1,000 objects, yielded page by page (the first results reach the caller
  while the next page is being fetched, never more than one page ahead). Never a
  folder-by-folder traversal.
* ``max_depth``: the flat stream plus a client-side depth filter.

Every listing of a folder uses ``Prefix=<key>/``, so a path naming an object
lists nothing (IO-3). Keys ending in ``/`` are folder markers made by consoles
and other tools: they make their prefix a folder but are never files (IO-5).
An absent bucket on the first page is an empty listing (R-ABSENT); on a later
page it propagates, because the listing would otherwise look complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..._errors import NotFound
from ..._models import UNKNOWN_TIME, FileInfo, FolderEntry
from ..._path import RemotePath
from ._errors import is_absent_bucket_error
from ._transport import S3Transport

__all__ = [
    "PAGE_SIZE",
    "folder_prefix",
    "iter_flat",
    "iter_pages",
    "iter_shallow",
    "listed_file",
    "normalise_etag",
    "to_file_info",
    "valid_key",
]

PAGE_SIZE = 1000
"""S3's maximum (and default) page size for ``ListObjectsV2``."""


def folder_prefix(key: str) -> str:
    """The ``Prefix=`` that lists the children of ``key`` (``""`` for the root)."""
    return f"{key}/" if key else ""


def normalise_etag(etag: object) -> str | None:
    """``'"ABC"'`` -> ``'abc'``; ``None`` stays ``None``."""
    if not isinstance(etag, str) or not etag:
        return None
    return etag.strip().strip('"').lower() or None


def as_utc(value: object) -> datetime:
    if not isinstance(value, datetime):
        return UNKNOWN_TIME
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _canonical(key: str) -> RemotePath | None:
    """``RemotePath(key)`` if ``key`` is a canonical file path, else ``None`` (one parse)."""
    if not key or key.endswith("/"):
        return None
    try:
        path = RemotePath(key)
    except Exception:
        return None
    return path if str(path) == key else None


def valid_key(key: str) -> bool:
    """True if ``key`` is a canonical store path (markers and odd keys are not files)."""
    return _canonical(key) is not None


def _file_info(path: RemotePath, obj: dict[str, Any]) -> FileInfo:
    return FileInfo(
        path=path,
        name=path.name,
        size=int(obj.get("Size", 0)),
        modified_at=as_utc(obj.get("LastModified")),
        digest=None,
        etag=normalise_etag(obj.get("ETag")),
    )


def to_file_info(key: str, obj: dict[str, Any]) -> FileInfo:
    return _file_info(RemotePath(key), obj)


def listed_file(key: str, obj: dict[str, Any]) -> FileInfo | None:
    """The ``FileInfo`` of one listed object, or ``None`` for markers and odd keys.

    Validates and builds from a single ``RemotePath`` (listings call this per object).
    """
    path = _canonical(key)
    return None if path is None else _file_info(path, obj)


def iter_pages(
    transport: S3Transport,
    bucket: str,
    prefix: str,
    *,
    delimiter: bool,
    path: str,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield raw ``ListObjectsV2`` pages, following continuation tokens, one page ahead.

    The request for page n+1 is sent before page n is yielded, so the server works while the
    caller consumes page n; never more than one request is ahead. A full listing therefore
    sends exactly one request per page, as before; a caller that stops early has cost at most
    one request more than it consumed (the one ahead is cancelled when the generator closes).
    """

    def params(token: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
        if delimiter:
            params["Delimiter"] = "/"
        if token:
            params["ContinuationToken"] = token
        return params

    try:
        page = transport.call("list_objects_v2", path=path, action="list", **params(None))
    except NotFound as exc:
        if is_absent_bucket_error(exc):
            return
        raise
    pages = 1
    while True:
        token = page.get("NextContinuationToken")
        if (
            not page.get("IsTruncated")
            or not token
            or (max_pages is not None and pages >= max_pages)
        ):
            yield page
            return
        ahead = transport.start("list_objects_v2", path=path, action="list", **params(token))
        try:
            yield page
            page = ahead.result()
        finally:
            ahead.cancel()  # answered: no-op; the caller stopped early: abandon the request
        pages += 1


def iter_shallow(
    transport: S3Transport, bucket: str, key: str, *, path: str
) -> Iterator[FileInfo | FolderEntry]:
    """Direct children of folder ``key``: files and folders, one delimiter request per page."""
    prefix = folder_prefix(key)
    for page in iter_pages(transport, bucket, prefix, delimiter=True, path=path):
        for obj in page.get("Contents", ()):
            info = listed_file(obj.get("Key", ""), obj)
            if info is not None:
                yield info
        for entry in page.get("CommonPrefixes", ()):
            folder = str(entry.get("Prefix", "")).rstrip("/")
            if valid_key(folder):
                folder_path = RemotePath(folder)
                yield FolderEntry(path=folder_path, name=folder_path.name)


def iter_flat(
    transport: S3Transport,
    bucket: str,
    prefix: str,
    *,
    path: str,
    max_depth: int | None = None,
) -> Iterator[FileInfo]:
    """Every file below ``prefix`` from one flat stream; ``max_depth`` filters client-side.

    Depth counts folder levels between ``prefix`` and the file's parent.
    """
    for page in iter_pages(transport, bucket, prefix, delimiter=False, path=path):
        for obj in page.get("Contents", ()):
            child = obj.get("Key", "")
            if max_depth is not None and child[len(prefix) :].count("/") > max_depth:
                continue
            info = listed_file(child, obj)
            if info is not None:
                yield info


def iter_shallow_cached(
    transport: S3Transport, bucket: str, key: str, *, path: str
) -> Iterator[FileInfo | FolderEntry]:
    """Direct children from s3fs's listing cache (``use_listings_cache=True`` only).

    The cache belongs to s3fs and never expires: the first listing of a prefix
    is one delimiter request per page; later listings of the same prefix cost
    nothing and do not see other writers. The backend invalidates it for its
    own writes and deletes.
    """
    fs = transport.fs
    try:
        entries = transport.run(fs._lsdir, f"{bucket}/{key}" if key else bucket)
    except FileNotFoundError:
        return
    except Exception as exc:
        mapped = transport.map(exc, path=path, action="list")
        if isinstance(mapped, NotFound):
            return
        raise mapped from exc
    strip = len(bucket) + 1
    for entry in entries:
        name = str(entry.get("name", ""))[strip:]
        if entry.get("type") == "directory":
            if valid_key(name):
                folder = RemotePath(name)
                yield FolderEntry(path=folder, name=folder.name)
        elif valid_key(name):
            yield to_file_info(name, {**entry, "Size": entry.get("size", 0)})
