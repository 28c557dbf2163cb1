"""Indexed object listing for moto: O(page) ListObjects instead of O(bucket).

Stock moto (5.x) answers every ListObjects/ListObjectsV2 call by copying and scanning every key of
the bucket and sorting the result, so a folder-by-folder traversal of a large bucket measures moto,
not the client. This module keeps one sorted list of key names per bucket and walks only the part
of it a page needs, skipping whole common-prefix ranges with a bisect.

Contract: the answers are exactly moto's, quirks included (a v1 listing returns every common prefix
regardless of ``marker`` and ``max-keys``; a key whose latest version is a delete marker still
produces its common prefix; continuation tokens are moto's own, stored in the backend's token
table). Any input this module does not model (negative max-keys, unknown continuation tokens, table
buckets) is passed to moto's own implementation.

Invalidation: the index of a bucket is rebuilt when :class:`WriteTracker`'s generation changes.
The WSGI front of the moto server bumps it around every request that may write (anything but
GET/HEAD/OPTIONS) and around the harness' own bulk operations, so it is only sound in a server
process whose every write passes through that front (the subprocess target), never in a process
where other code may touch moto's state directly.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["WriteTracker", "indexed_list_objects", "indexed_list_objects_v2", "install"]

_INDEX_ATTR = "_harness_sorted_names"
_MAX_CHAR = 0x10FFFF


class WriteTracker:
    """Generation counter plus in-flight count of operations that may change bucket contents."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.inflight = 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Bracket a possibly-writing operation: indexes built meanwhile are never cached."""
        with self._lock:
            self.generation += 1
            self.inflight += 1
        try:
            yield
        finally:
            with self._lock:
                self.generation += 1
                self.inflight -= 1


def _sorted_names(bucket: Any, tracker: WriteTracker) -> list[str]:
    keys = bucket.keys
    generation, inflight = tracker.generation, tracker.inflight
    cached = getattr(bucket, _INDEX_ATTR, None)
    if cached is not None and cached[0] == generation and cached[1] is keys:
        names: list[str] = cached[2]
        return names
    # dict.copy is a single C call (atomic under the GIL), like moto's own dict(self) snapshot.
    names = sorted(dict.copy(keys))
    if inflight == 0 and tracker.generation == generation:
        setattr(bucket, _INDEX_ATTR, (generation, keys, names))
    return names


def _end_of_prefix(names: list[str], prefix: str, lo: int) -> int:
    """First index >= lo whose name lacks ``prefix`` (names[lo:] sorted and >= prefix)."""
    last = ord(prefix[-1])
    if last < _MAX_CHAR:
        return bisect_left(names, prefix[:-1] + chr(last + 1), lo)
    i = lo
    while i < len(names) and names[i].startswith(prefix):
        i += 1
    return i


def _latest_is_object(bucket: Any, name: str, delete_marker_type: type) -> Any | None:
    """The latest version of ``name`` if it is an object (not a delete marker), else None."""
    try:
        latest = bucket.keys[name]
    except (KeyError, IndexError):
        return None
    return None if isinstance(latest, delete_marker_type) else latest


def _walk(
    names: list[str], start: int, prefix: str, delimiter: str
) -> Iterator[tuple[str, bool, int]]:
    """Yield (name, is_common_prefix, index) in name order from ``start`` within ``prefix``."""
    i = start
    n = len(names)
    while i < n:
        name = names[i]
        if not name.startswith(prefix):
            return
        if delimiter:
            j = name.find(delimiter, len(prefix))
            if j >= 0:
                common = name[: j + len(delimiter)]
                yield common, True, i
                i = _end_of_prefix(names, common, i)
                continue
        yield name, False, i
        i += 1


def indexed_list_objects(
    backend: Any,
    bucket: Any,
    prefix: str | None,
    delimiter: str | None,
    marker: str | None,
    max_keys: int | None,
    *,
    tracker: WriteTracker,
    fallback: Callable[..., Any],
) -> Any:
    """moto's ``S3Backend.list_objects`` (ListObjects v1) answered from the sorted index."""
    from moto.s3.models import FakeDeleteMarker, FakeTableStorageBucket

    if isinstance(bucket, FakeTableStorageBucket) or max_keys is None or max_keys < 0:
        return fallback(backend, bucket, prefix, delimiter, marker, max_keys)
    limit: str | None = None
    if marker:
        limit = backend._pagination_tokens.get(marker) or marker
    names = _sorted_names(bucket, tracker)
    pfx = prefix or ""
    delim = delimiter or ""
    need = max_keys + 1
    keys: list[Any] = []
    folders: list[str] = []
    for name, is_folder, _ in _walk(names, bisect_left(names, pfx), pfx, delim):
        if is_folder:
            folders.append(name)
            continue
        if len(keys) >= need:
            if not delim:
                break
            continue
        if limit is not None and not name > limit:
            continue
        key = _latest_is_object(bucket, name, FakeDeleteMarker)
        if key is not None:
            keys.append(key)
    truncated_keys, is_truncated, next_marker = backend._truncate_result(keys, max_keys)
    return truncated_keys, folders, is_truncated, next_marker


def indexed_list_objects_v2(
    backend: Any,
    bucket: Any,
    prefix: str | None,
    delimiter: str | None,
    continuation_token: str | None,
    start_after: str | None,
    max_keys: int,
    *,
    tracker: WriteTracker,
    fallback: Callable[..., Any],
) -> Any:
    """moto's ``S3Backend.list_objects_v2`` answered from the sorted index."""
    from moto.s3.models import FakeDeleteMarker, FakeTableStorageBucket

    def stock() -> Any:
        return fallback(
            backend, bucket, prefix, delimiter, continuation_token, start_after, max_keys
        )

    if isinstance(bucket, FakeTableStorageBucket) or max_keys < 0:
        return stock()
    limit: str | None = None
    if continuation_token or start_after:
        limit = (
            backend._pagination_tokens.get(continuation_token)
            if continuation_token
            else start_after
        )
        if limit is None:  # moto fails on an unknown token; let it fail its own way
            return stock()
    names = _sorted_names(bucket, tracker)
    pfx = prefix or ""
    delim = delimiter or ""
    start = bisect_left(names, pfx)
    if limit is not None:
        start = max(start, bisect_right(names, limit))
    need = max_keys + 1
    items: list[Any] = []
    for name, is_folder, _ in _walk(names, start, pfx, delim):
        if len(items) >= need:
            break
        if is_folder:
            if limit is None or name > limit:
                items.append(name)
            continue
        key = _latest_is_object(bucket, name, FakeDeleteMarker)
        if key is not None:
            items.append(key)
    return backend._truncate_result(items, max_keys)


def install(tracker: WriteTracker) -> None:
    """Replace moto's listing methods on ``S3Backend`` (process-wide) with the indexed ones."""
    from moto.s3.models import S3Backend

    stock_v1 = S3Backend.list_objects
    stock_v2 = S3Backend.list_objects_v2
    if getattr(stock_v1, "_harness_indexed", False):
        return

    def list_objects(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = _bind(("bucket", "prefix", "delimiter", "marker", "max_keys"), args, kwargs)
        return indexed_list_objects(self, *bound, tracker=tracker, fallback=stock_v1)

    def list_objects_v2(self: Any, *args: Any, **kwargs: Any) -> Any:
        fields = ("bucket", "prefix", "delimiter", "continuation_token", "start_after", "max_keys")
        bound = _bind(fields, args, kwargs)
        return indexed_list_objects_v2(self, *bound, tracker=tracker, fallback=stock_v2)

    list_objects._harness_indexed = True  # type: ignore[attr-defined]
    setattr(S3Backend, "list_objects", list_objects)  # noqa: B010 (monkey-patching on purpose)
    setattr(S3Backend, "list_objects_v2", list_objects_v2)  # noqa: B010


def _bind(fields: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    values = list(args) + [None] * (len(fields) - len(args))
    for i, field in enumerate(fields):
        if field in kwargs:
            values[i] = kwargs[field]
    return values
