"""Directory-fd path resolution for ``LocalBackend``: containment no rename can redirect.

Why: checking a path with ``realpath`` and then using the path string is check-then-use.
A directory inside the root swapped for a symlink to elsewhere between the two
(``renameat2(RENAME_EXCHANGE)``) redirects the operation outside the root. Here nothing
is ever looked up by a path string below the root:

- :func:`at` opens the root, then every component in turn relative to the directory fd
  of the one before, with ``O_NOFOLLOW | O_DIRECTORY``. A component that is a symlink is
  read with ``readlinkat`` and its target is resolved the same way, from the fds already
  held (``..`` re-walks the resolved components from the root); a target that leads
  above the root, or an absolute target outside it, raises :class:`Escape`. Only links
  whose whole resolution stays inside are followed, and following one is itself a
  sequence of fd-relative opens, so a swap can only move the walk to another place
  *inside* the root, or make an open fail (``ELOOP``/``ENOTDIR``).
- The caller then acts on :attr:`Location.name` relative to :attr:`Location.parent`
  (``dir_fd=``, ``follow_symlinks=False``, ``O_NOFOLLOW``), so the final step cannot be
  redirected either.
- :func:`walk_files` and :func:`remove_tree` walk a tree with at most three fds open,
  going down with ``openat(child, O_NOFOLLOW)`` and up with ``openat("..")`` checked
  against the identity (``st_dev``/``st_ino``) recorded on the way down; a tree of any
  depth is walked without recursion.

Every fd this module opens is closed on every path; OSErrors propagate for the backend
to map (``Escape`` and :class:`FileInTheWay` are the two decisions made here).
Requires POSIX ``dir_fd`` support (``os.supports_dir_fd``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from .._backend_rules import is_temp_name

__all__ = [
    "Escape",
    "FileInTheWay",
    "Location",
    "at",
    "remove_tree",
    "walk_files",
]

SUPPORTED = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
"""Whether this platform has what the resolver needs (``LocalBackend`` refuses to start without)."""

FILE_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""Added to every file open: the final component is never a symlink when used."""

DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | FILE_FLAGS
"""How every directory is opened: never through a symlink."""

MAX_LINKS = 40
"""Symlinks followed in one resolution (the kernel's own limit); more is ``ELOOP``."""

_MAX_CREATE_RETRIES = 64


class Escape(Exception):
    """The path leads outside the root (a symlink out of it, or the root was replaced)."""


class FileInTheWay(Exception):
    """A parent to create is an existing non-folder; ``depth`` components lead to it."""

    def __init__(self, segments: Sequence[str]) -> None:
        super().__init__("/".join(segments))
        self.segments = list(segments)


@dataclass
class Location:
    """Where a key resolved to: ``name`` inside the folder open as ``parent``.

    ``name`` is ``None`` when the key is a folder reached in full (the root, or a link
    to a folder ending the path): then ``parent`` is that folder itself. ``segments``
    are the resolved components from the root (links replaced by their targets).
    The fd is owned by :func:`at` and closed when its block ends.
    """

    parent: int
    name: str | None
    segments: list[str] = field(default_factory=list)

    @property
    def leaf(self) -> str:
        """``name``, which must be set (a key that resolved to a whole folder has none)."""
        if self.name is None:
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        return self.name

    def unlink(self) -> None:
        """Remove the entry itself (a symlink, never what it points to)."""
        os.unlink(self.leaf, dir_fd=self.parent)

    def rmdir(self) -> None:
        os.rmdir(self.leaf, dir_fd=self.parent)

    def lstat(self) -> os.stat_result | None:
        """The entry itself (a link is not followed); ``None`` when absent."""
        try:
            if self.name is None:
                return os.fstat(self.parent)
            return os.stat(self.name, dir_fd=self.parent, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def open_dir(self) -> int:
        """A new fd on the folder at this location (the caller closes it)."""
        if self.name is None:
            return os.open(".", DIR_FLAGS, dir_fd=self.parent)
        return os.open(self.name, DIR_FLAGS, dir_fd=self.parent)

    def open(self, flags: int, mode: int = 0o666) -> int:
        """``open`` of the final entry, never through a symlink (the caller closes it)."""
        return os.open(self.leaf, flags | FILE_FLAGS, mode, dir_fd=self.parent)


def _open_root(root: str, create: bool) -> int:
    try:
        return os.open(root, DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            raise
        os.makedirs(root, exist_ok=True)
        return os.open(root, DIR_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(root):
            raise Escape(root) from exc
        raise


def _readlink(parent: int, name: str) -> str | None:
    """The target of the symlink ``name``, or ``None`` if it is not one (or vanished)."""
    try:
        return os.readlink(name, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOENT):
            return None
        raise


def _walk_down(root: str, segments: Sequence[str]) -> int:
    """Re-open the already resolved ``segments`` (real folders) from the root."""
    fd = _open_root(root, create=False)
    try:
        for part in segments:
            child = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


class _Resolver:
    """One resolution in progress: the current folder fd and what is left to walk."""

    def __init__(self, root: str, segments: Sequence[str], create: bool) -> None:
        self.root = root
        self.create = create
        self.fd = _open_root(root, create)
        self.here: list[str] = []
        self.pending = list(reversed(segments))
        self.links = 0
        self.retries = 0

    def splice(self, target: str) -> None:
        """Continue with a link's ``target`` in place of the link."""
        self.links += 1
        if self.links > MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        if os.path.isabs(target):
            norm = os.path.normpath(target)
            if norm != self.root and not norm.startswith(self.root + os.sep):
                raise Escape(target)
            self.up_to([])
            target = norm[len(self.root) :]
        self.pending.extend(reversed([p for p in target.split("/") if p not in ("", ".")]))

    def up_to(self, segments: list[str]) -> None:
        fd = _walk_down(self.root, segments)
        os.close(self.fd)
        self.fd = fd
        self.here = segments

    def descend(self, part: str) -> None:
        try:
            child = os.open(part, DIR_FLAGS, dir_fd=self.fd)
        except FileNotFoundError:
            if not self.create or self.retries >= _MAX_CREATE_RETRIES:
                raise
            self.retries += 1
            with suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=self.fd)
            self.pending.append(part)
            return
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            target = _readlink(self.fd, part)
            if target is None:
                if self.create and exc.errno == errno.ENOTDIR:
                    raise FileInTheWay([*self.here, part]) from exc
                raise
            self.splice(target)
            return
        os.close(self.fd)
        self.fd = child
        self.here.append(part)
        self.retries = 0  # the create-retry budget is per component

    def run(self, follow_last: bool) -> Location:
        while self.pending:
            part = self.pending.pop()
            if part == "..":
                if not self.here:
                    raise Escape("..")
                self.up_to(self.here[:-1])
            elif not self.pending:
                target = _readlink(self.fd, part) if follow_last else None
                if target is None:
                    return Location(self.fd, part, [*self.here, part])
                self.splice(target)
            else:
                self.descend(part)
        return Location(self.fd, None, list(self.here))


@contextmanager
def at(
    root: str, segments: Sequence[str], *, follow_last: bool = True, create: bool = False
) -> Iterator[Location]:
    """Resolve ``segments`` under ``root`` (see the module docstring); closes the fd after.

    ``create`` makes missing parent folders (a non-folder in the way is
    :class:`FileInTheWay`); ``follow_last`` follows a final symlink that stays inside.
    """
    resolver = _Resolver(root, segments, create)
    try:
        location = resolver.run(follow_last)
        yield location
    finally:
        os.close(resolver.fd)


def _identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _climb(fd: int, expected: tuple[int, int], root: str, segments: list[str]) -> int:
    """The parent of folder ``fd`` (closed), which must be the folder seen on the way down.

    If the folder was moved meanwhile (``..`` is now elsewhere), the parent is re-opened
    from the root by its resolved ``segments``; still not the same folder is ``ESTALE``.
    """
    try:
        parent = os.open("..", DIR_FLAGS, dir_fd=fd)
    finally:
        os.close(fd)
    if _identity(parent) == expected:
        return parent
    os.close(parent)
    parent = _walk_down(root, segments)
    if _identity(parent) != expected:
        os.close(parent)
        raise OSError(errno.ESTALE, "folder moved during the walk")
    return parent


@dataclass
class _Frame:
    prefix: str
    segments: list[str]
    depth: int
    identity: tuple[int, int]
    subfolders: list[str]


EntryFile = Callable[[int, os.DirEntry[str], str, list[str]], object | None]
"""``(folder_fd, entry, key, segments) -> item or None``: how a walk turns a file into a result."""


def walk_files(
    root: str,
    location: Location,
    prefix: str,
    *,
    recursive: bool,
    max_depth: int | None,
    on_file: EntryFile,
    on_folder: Callable[[str, str], object | None] | None = None,
    temp_files: bool = False,
) -> Iterator[object]:
    """Items for the files below the folder at ``location``, depth first, pre-order.

    ``on_file`` makes each file's item (``None`` skips it); ``on_folder(key, name)``,
    if given, makes an item for each subfolder (used by one-level listings). Symlinks to
    folders are not descended into (no cycles); a missing folder lists nothing. With
    ``temp_files`` the files offered to ``on_file`` are our temp names instead of user data.
    """
    try:
        fd = location.open_dir()
    except (FileNotFoundError, NotADirectoryError):
        return
    try:
        frames: list[_Frame] = []
        enter: tuple[str, list[str], int] | None = (prefix, list(location.segments), 0)
        while True:
            if enter is not None:
                prefix, segments, depth = enter
                enter = None
                subfolders: list[str] = []
                items: list[object] = []
                with os.scandir(fd) as scanned:
                    listed = list(scanned)
                for entry in listed:
                    key = f"{prefix}/{entry.name}" if prefix else entry.name
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    if is_temp_name(entry.name) != (temp_files and not is_dir):
                        continue  # our own temp names are never user data
                    if is_dir:
                        folder_item = on_folder(key, entry.name) if on_folder else None
                        if folder_item is not None:
                            items.append(folder_item)
                        if recursive and (max_depth is None or depth < max_depth):
                            subfolders.append(entry.name)
                        continue
                    item = on_file(fd, entry, key, segments)
                    if item is not None:
                        items.append(item)
                yield from items
                frames.append(_Frame(prefix, segments, depth, _identity(fd), subfolders[::-1]))
            top = frames[-1]
            if not top.subfolders:
                frames.pop()
                if not frames:
                    return
                old, fd = fd, -1
                fd = _climb(old, frames[-1].identity, root, frames[-1].segments)
                continue
            name = top.subfolders.pop()
            try:
                child = os.open(name, DIR_FLAGS, dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                continue  # vanished meanwhile
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                continue  # swapped for a link meanwhile: not descended into
            os.close(fd)
            fd = child
            key = f"{top.prefix}/{name}" if top.prefix else name
            enter = (key, [*top.segments, name], top.depth + 1)
    finally:
        if fd >= 0:
            os.close(fd)


def remove_tree(parent: int, name: str, root: str, segments: list[str]) -> None:
    """Remove folder ``name`` of ``parent`` and everything below it, without following links.

    Post-order and iterative: files (links included: the link, never its target) are
    unlinked in each folder, subfolders are entered with ``O_NOFOLLOW`` and removed on the
    way back up. ``segments`` are the resolved components of ``name`` from the root.
    """
    fd = os.open(name, DIR_FLAGS, dir_fd=parent)
    try:
        frames: list[tuple[str, list[str], tuple[int, int], list[str]]] = []
        enter: tuple[str, list[str]] | None = (name, list(segments))
        while True:
            if enter is not None:
                subfolders: list[str] = []
                with os.scandir(fd) as entries:
                    listed = list(entries)
                for entry in listed:
                    if entry.is_dir(follow_symlinks=False):
                        subfolders.append(entry.name)
                    else:
                        with suppress(FileNotFoundError):
                            os.unlink(entry.name, dir_fd=fd)
                frames.append((enter[0], enter[1], _identity(fd), subfolders))
                enter = None
            done_name, _, _, pending = frames[-1]
            if not pending:
                frames.pop()
                old, fd = fd, -1
                if not frames:
                    os.close(old)
                    os.rmdir(done_name, dir_fd=parent)
                    return
                fd = _climb(old, frames[-1][2], root, frames[-1][1])
                os.rmdir(done_name, dir_fd=fd)
                continue
            sub = pending.pop()
            try:
                child = os.open(sub, DIR_FLAGS, dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                with suppress(FileNotFoundError):
                    os.unlink(sub, dir_fd=fd)  # swapped for a link meanwhile: the link goes
                continue
            os.close(fd)
            fd = child
            enter = (sub, [*frames[-1][1], sub])
    finally:
        if fd >= 0:
            os.close(fd)
