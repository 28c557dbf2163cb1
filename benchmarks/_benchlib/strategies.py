"""The listing strategies under comparison. Each returns the set of object keys it found.

All of them list the same folder (``t`` in a bucket holding one tree) and must return the same
set of keys; the benchmark asserts that. Store strategies go through the public ``Store`` API only
(the store is rooted at the bucket root, so a returned path *is* the object key).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from typing import Any

__all__ = ["PARALLEL", "STRATEGIES", "Clients", "Strategy"]

#: Threads of the parallel per-folder traversal (docs/backends/s3.md, "Listing strategies").
PARALLEL = 16


@dataclass
class Clients:
    """What a strategy may use: our store, a raw boto3 client and a raw s3fs filesystem."""

    make_store: Callable[[], Any]
    boto3: Any
    s3fs: Any
    bucket: str

    @cached_property
    def store(self) -> Any:
        """Built on first use, so raw baselines run even where our store cannot be built."""
        return self.make_store()


@dataclass(frozen=True)
class Strategy:
    name: str
    #: "flat": one flat paginated stream; "traversal": one delimiter listing per folder.
    shape: str
    #: True for baselines that bypass our store.
    raw: bool
    run: Callable[[Clients, str, int], frozenset[str]]
    description: str
    #: Requests kept in flight at most (1 = sequential).
    concurrency: int = 1


def _store_recursive(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    return frozenset(str(f.path) for f in c.store.list_files(prefix, recursive=True))


def _store_max_depth(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    return frozenset(str(f.path) for f in c.store.list_files(prefix, max_depth=depth))


def _store_glob(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    return frozenset(str(f.path) for f in c.store.glob(f"{prefix}/**/*"))


def _shallow(store: Any, folder: str) -> tuple[list[str], list[str]]:
    files: list[str] = []
    folders: list[str] = []
    for entry in store.iter_children(folder):
        # FileInfo has a size; FolderEntry does not.
        (files if hasattr(entry, "size") else folders).append(str(entry.path))
    return files, folders


def _traverse_sequential(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    found: set[str] = set()
    pending = [prefix]
    while pending:
        files, folders = _shallow(c.store, pending.pop())
        found.update(files)
        pending.extend(folders)
    return frozenset(found)


def _traverse_parallel(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    found: set[str] = set()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        running: set[Future[tuple[list[str], list[str]]]] = {pool.submit(_shallow, c.store, prefix)}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                files, folders = future.result()
                found.update(files)
                running.update(pool.submit(_shallow, c.store, f) for f in folders)
    return frozenset(found)


def _boto3_paginator(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    paginator = c.boto3.get_paginator("list_objects_v2")
    return frozenset(
        obj["Key"]
        for page in paginator.paginate(Bucket=c.bucket, Prefix=f"{prefix}/")
        for obj in page.get("Contents", ())
    )


def _s3fs_find(c: Clients, prefix: str, depth: int) -> frozenset[str]:
    cut = len(c.bucket) + 1
    return frozenset(p[cut:] for p in c.s3fs.find(f"{c.bucket}/{prefix}"))


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy(
            "store-recursive",
            "flat",
            False,
            _store_recursive,
            "store.list_files(prefix, recursive=True)",
        ),
        Strategy(
            "store-traversal-seq",
            "traversal",
            False,
            _traverse_sequential,
            "folder-by-folder via store.iter_children, sequential",
        ),
        Strategy(
            "store-traversal-16",
            "traversal",
            False,
            _traverse_parallel,
            "folder-by-folder via store.iter_children, ThreadPoolExecutor(16)",
            concurrency=PARALLEL,
        ),
        Strategy(
            "store-max-depth",
            "flat",
            False,
            _store_max_depth,
            "store.list_files(prefix, max_depth=<tree depth>)",
        ),
        Strategy("store-glob", "flat", False, _store_glob, "store.glob(prefix + '/**/*')"),
        Strategy(
            "boto3-paginator", "flat", True, _boto3_paginator, "raw boto3 list_objects_v2 paginator"
        ),
        Strategy("s3fs-find", "flat", True, _s3fs_find, "raw s3fs.find(bucket/prefix)"),
    )
}
