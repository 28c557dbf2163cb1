"""Keeping every SFTP operation inside ``base_path`` when the server holds symbolic links.

SFTP v3 has no ``O_NOFOLLOW`` open and no ``*at()`` calls, so the client cannot pin a folder
and work below it the way the local backend can. The one mechanism instead: before an
operation uses a path, the server resolves it (the ``REALPATH`` request, which follows every
link on the way) and the answer must lie inside the resolved ``base_path``. Paths that do not
exist yet resolve through their deepest existing ancestor, so a write into a new folder below
a link to the outside is refused as well.

What this cannot close: another user of the server who swaps a folder for a link between the
check and the use. That race is the server's, and SFTP v3 gives the client nothing to close it
with (``docs/data-safety.md``).
"""

from __future__ import annotations

import posixpath

import paramiko

from ._errors import is_missing

__all__ = ["inside", "resolve"]


def resolve(sftp: paramiko.SFTPClient, remote: str) -> str:
    """The server's real path for ``remote``: its deepest existing component resolved through
    links, the missing rest appended unchanged (nothing there can be a link yet)."""
    missing: list[str] = []
    probe = remote
    while True:
        try:
            real = sftp.normalize(probe)
        except OSError as exc:
            parent, name = posixpath.split(probe)
            if not is_missing(exc) or not name:
                raise
            missing.append(name)
            probe = parent or "."
            continue
        return posixpath.join(real, *reversed(missing))


def inside(real: str, root: str) -> bool:
    """Whether the resolved path ``real`` is ``root`` or below it (both from ``resolve``)."""
    if root == "/":
        return real.startswith("/")
    return real == root or real.startswith(root + "/")
