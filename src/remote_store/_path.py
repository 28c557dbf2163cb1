"""``RemotePath``: the one normalisation every store path goes through.

Normalisation happens once, here, so that no backend ever sees ``..``, NUL,
backslashes or empty segments, and so that two spellings of a path
(``a//b``, ``./a/b/``) are the same key everywhere (caches included).
"""

from __future__ import annotations

from typing import ClassVar, Final

from ._errors import InvalidPath

__all__ = [
    "RemotePath",
    "addressable_segments",
    "backend_segments",
    "is_root",
    "require_str",
    "strip_root",
]

_ROOT_SPELLINGS: Final = frozenset({"", "."})


def is_root(key: str) -> bool:
    """True for the two canonical spellings of the root key (``""`` and ``"."``)."""
    return key in _ROOT_SPELLINGS


def strip_root(key: str) -> str:
    """Map both root spellings to ``""``; leave every other key unchanged."""
    return "" if key in _ROOT_SPELLINGS else key


def addressable_segments(key: str) -> list[str]:
    """The ``/``-separated segments of ``key`` that address something.

    A key with none (``""``, ``"."``, ``"/"``, ``"./."``) addresses the root;
    backends decide root-ness with this predicate and nothing else, so a key is
    never split two ways.
    """
    return [segment for segment in key.split("/") if segment not in ("", ".")]


def backend_segments(key: str, backend: str) -> list[str]:
    """:func:`addressable_segments` of a key a backend was handed, refusing NUL and ``..``.

    ``Store`` normalises through :class:`RemotePath` first, but a backend can also be called
    directly; this is the containment check every backend that maps keys onto a tree keeps
    for that case (``[]`` is the root). Raises :class:`InvalidPath` naming *backend*.
    """
    if "\0" in key:
        raise InvalidPath(
            "Path contains a NUL character (Path contains null byte)", path=key, backend=backend
        )
    segments = addressable_segments(key)
    if ".." in segments:
        raise InvalidPath(
            "Path must not contain '..' segments (Path contains '..' segment)",
            path=key,
            backend=backend,
        )
    return segments


class RemotePath:
    """An immutable, normalised, relative ``/``-separated path.

    Rules, in order: NUL is rejected; ``\\`` becomes ``/``; empty and ``.``
    segments are dropped (so leading and trailing slashes disappear); a ``..``
    segment is rejected; nothing left is rejected. It is deliberately not
    ``os.PathLike``: a remote path is never a local file name.
    """

    __slots__ = ("_parts", "_text")

    ROOT: ClassVar[RemotePath]

    _text: str
    _parts: tuple[str, ...]

    def __init__(self, raw: str) -> None:
        if not isinstance(raw, str):
            raise InvalidPath(f"Path must be a string, got {type(raw).__name__}", path=repr(raw))
        if "\0" in raw:
            raise InvalidPath("Path contains a NUL character (Path contains null byte)", path=raw)
        parts = addressable_segments(raw.replace("\\", "/"))
        if ".." in parts:
            raise InvalidPath(
                "Path must not contain '..' segments (Path contains '..' segment)", path=raw
            )
        if not parts:
            raise InvalidPath(
                "Path is empty after normalisation (Path is empty after normalization)", path=raw
            )
        object.__setattr__(self, "_parts", tuple(parts))
        object.__setattr__(self, "_text", "/".join(parts))

    @classmethod
    def _root(cls) -> RemotePath:
        root = object.__new__(cls)
        object.__setattr__(root, "_parts", (".",))
        object.__setattr__(root, "_text", ".")
        return root

    @classmethod
    def from_backend_path(cls, key: str) -> RemotePath:
        """``ROOT`` for a root key, otherwise the normalised path."""
        return cls.ROOT if is_root(key) else cls(key)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RemotePath is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RemotePath is immutable")

    def __reduce__(self) -> tuple[object, ...]:
        if self is RemotePath.ROOT:
            return (_root_path, ())
        return (RemotePath, (self._text,))

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"RemotePath({self._text!r})"

    def as_posix(self) -> str:
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemotePath):
            return NotImplemented
        return self._text == other._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __truediv__(self, other: str) -> RemotePath:
        if self._text == ".":
            return RemotePath(other)
        return RemotePath(f"{self._text}/{other}")

    @property
    def name(self) -> str:
        return self._parts[-1]

    @property
    def parent(self) -> RemotePath | None:
        if len(self._parts) <= 1:
            return None
        return RemotePath("/".join(self._parts[:-1]))

    @property
    def parts(self) -> tuple[str, ...]:
        return self._parts

    @property
    def suffix(self) -> str:
        name = self.name
        dot = name.rfind(".")
        if dot <= 0:
            return ""
        return name[dot:]


def _root_path() -> RemotePath:
    return RemotePath.ROOT


RemotePath.ROOT = RemotePath._root()


def require_str(value: object, argument: str) -> str:
    """``value`` if it is a ``str``; else a ``TypeError`` naming ``argument``, before any I/O."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, got {type(value).__name__}")
    return value
