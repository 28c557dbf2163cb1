"""The four listing trees as plain data: every key, every folder, the request counts they imply.

A tree lives under the prefix ``t/`` of its own bucket, so moto's per-call cost (it scans the whole
bucket on every list call) is bounded by the tree itself and one tree never slows another.

The expected request counts are derived from the shape, never from a measurement, so a benchmark
that asserts them can fail: a flat stream of N keys is ``ceil(N / 1000)`` ListObjectsV2 calls; a
folder-by-folder traversal is one delimiter listing per folder (the tree root included), plus one
more per extra 1,000 direct entries (objects and sub-folders both count against ``MaxKeys``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["PAGE", "PREFIX", "SIZES", "TREE_NAMES", "Tree", "build_tree"]

#: Keys per ListObjectsV2 page (the S3 default and maximum of ``MaxKeys``).
PAGE = 1000
#: Every tree lives under this folder of its bucket.
PREFIX = "t"
#: Size of every object in the listing trees (bytes); listing cost does not depend on it.
OBJECT_SIZE = 16
TREE_NAMES = ("wide", "deep", "flat", "lake")
SIZES = ("ci", "full")


@dataclass(frozen=True)
class Tree:
    """One tree: ``keys`` are object keys (``t/...``); ``folders`` are folder keys (no slash)."""

    name: str
    size: str
    keys: tuple[str, ...]
    folders: tuple[str, ...] = field(repr=False)
    #: Deepest file depth below ``t`` (0 = directly in ``t``): the ``max_depth`` that keeps all.
    max_depth: int = 0

    @property
    def objects(self) -> int:
        return len(self.keys)

    @cached_property
    def direct_entries(self) -> Counter[str]:
        """Direct children (objects + sub-folders) of every folder, the tree root included."""
        entries: Counter[str] = Counter({f: 0 for f in (PREFIX, *self.folders)})
        for key in self.keys:
            entries[key.rsplit("/", 1)[0]] += 1
        for folder in self.folders:
            entries[folder.rsplit("/", 1)[0]] += 1
        return entries

    def flat_requests(self) -> int:
        """ListObjectsV2 calls of one flat (no delimiter) paginated listing of ``t/``."""
        return max(1, math.ceil(self.objects / PAGE))

    def traversal_requests(self) -> int:
        """ListObjectsV2 calls of a folder-by-folder delimiter traversal of ``t/``."""
        return sum(max(1, math.ceil(n / PAGE)) for n in self.direct_entries.values())

    def shallow_requests(self, folder: str) -> int:
        """ListObjectsV2 calls of one delimiter listing of ``folder``."""
        return max(1, math.ceil(self.direct_entries[folder] / PAGE))


def _folders_of(keys: list[str]) -> tuple[str, ...]:
    folders: set[str] = set()
    for key in keys:
        parts = key.split("/")[:-1]
        for i in range(2, len(parts) + 1):
            folders.add("/".join(parts[:i]))
    return tuple(sorted(folders))


def _wide(size: str) -> Iterator[str]:
    folders = 2000 if size == "full" else 200
    for i in range(folders):
        for j in range(10):
            yield f"{PREFIX}/f{i:04d}/obj{j:02d}.dat"


def _deep(size: str) -> Iterator[str]:
    levels, branching, per_folder = (5, 5, 5) if size == "full" else (5, 3, 5)

    def walk(folder: str, level: int) -> Iterator[str]:
        for j in range(per_folder):
            yield f"{folder}/obj{j}.dat"
        if level < levels:
            for b in range(branching):
                yield from walk(f"{folder}/n{level + 1}{b}", level + 1)

    yield from walk(PREFIX, 0)


def _flat(size: str) -> Iterator[str]:
    count = 20000 if size == "full" else 2000
    for i in range(count):
        yield f"{PREFIX}/obj{i:05d}.dat"


def _lake(size: str) -> Iterator[str]:
    sources, years, days = (5, 2, 14) if size == "full" else (2, 1, 7)
    for tier in ("bronze", "silver", "gold"):
        for s in range(sources):
            for y in range(years):
                for m in range(1, 13):
                    for d in range(1, days + 1):
                        base = f"{PREFIX}/{tier}/src{s}/year={2024 + y}/month={m:02d}/day={d:02d}"
                        for p in range(4):
                            yield f"{base}/part-{p:05d}.parquet"


_BUILDERS = {"wide": _wide, "deep": _deep, "flat": _flat, "lake": _lake}


def build_tree(name: str, size: str = "ci") -> Tree:
    """The tree called ``name`` (one of :data:`TREE_NAMES`) in ``size`` ``ci`` or ``full``."""
    if name not in _BUILDERS:
        raise ValueError(f"unknown tree {name!r}; choose from {TREE_NAMES}")
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose from {SIZES}")
    keys = list(_BUILDERS[name](size))
    depth = max(key.count("/") for key in keys) - 1
    return Tree(name, size, tuple(keys), _folders_of(keys), depth)
