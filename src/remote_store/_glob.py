"""Glob patterns to anchored regular expressions (``docs/contract.md`` §8.9, IO-21).

A pattern is matched against a whole backend key, segment by segment:

* ``*`` any run of characters inside one segment, ``?`` one character (never ``/``);
* ``**`` as a whole segment: zero or more whole segments (``a/**/b``), or everything
  below when it is the last segment (``a/**``); ``**`` glued to other characters
  (``a**``, ``**x``) is rejected with ``ValueError`` rather than guessed at;
* ``[abc]``, ``[a-z]``, ``[!abc]``: character classes; their contents are escaped for
  the regex engine (a ``\\`` inside is a literal backslash) and never match ``/``;
  an unterminated ``[`` is a literal.

The plan also says where to list from (``prefix``: the leading literal segments, the
last one dropped when every segment is literal) and whether the listing must be
recursive, so backends can narrow the listing (S3 ``Prefix=``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._errors import InvalidPath
from ._path import require_str

if TYPE_CHECKING:
    from ._backend import Backend
    from ._models import FileInfo

__all__ = ["GlobPlan", "glob_via_listing", "translate_glob"]

_WILDCARDS = frozenset("*?[")


@dataclass(frozen=True)
class GlobPlan:
    """A compiled glob: ``regex`` matches whole keys; list ``prefix`` (recursively?) to feed it."""

    pattern: str
    regex: re.Pattern[str]
    prefix: str
    recursive: bool

    def matches(self, key: str) -> bool:
        return self.regex.fullmatch(key) is not None


def _has_wildcard(segment: str) -> bool:
    return any(ch in _WILDCARDS for ch in segment)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    n = len(segment)
    while i < n:
        ch = segment[i]
        if ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            j = i + 1
            negate = j < n and segment[j] == "!"
            if negate:
                j += 1
            if j < n and segment[j] == "]":
                j += 1  # a leading ']' is a member, not the end
            while j < n and segment[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(ch))  # unterminated: a literal '['
                i += 1
                continue
            body = segment[i + 1 + (1 if negate else 0) : j]
            members = "".join(c if c == "-" else re.escape(c) for c in body)
            out.append(f"[^/{members}]" if negate else f"[{members}]")
            i = j + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def translate_glob(pattern: str) -> GlobPlan:
    """Compile ``pattern``; ``ValueError`` for a malformed pattern.

    Malformed means a ``**`` that is not a whole segment or a character class
    the regex engine refuses (``[z-a]``); a non-``str`` pattern is a ``TypeError``.

    Empty and ``.`` segments are dropped (so a leading ``/`` is harmless); NUL and
    ``..`` segments raise ``InvalidPath`` because no key can contain them.
    """
    require_str(pattern, "pattern")
    if "\0" in pattern:
        raise InvalidPath("Glob pattern contains a NUL character (null byte)", path=pattern)
    segments = [s for s in pattern.replace("\\", "/").split("/") if s not in ("", ".")]
    if ".." in segments:
        raise InvalidPath("Glob pattern must not contain '..' segments", path=pattern)
    for segment in segments:
        if "**" in segment and segment != "**":
            raise ValueError(
                f"'**' must be a whole path segment in glob pattern {pattern!r}, got {segment!r}"
            )
    parts: list[str] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            parts.append(".*" if index == last else "(?:[^/]+/)*")
        else:
            parts.append(_translate_segment(segment) + ("/" if index != last else ""))
    try:
        regex = re.compile("".join(parts), re.DOTALL)
    except re.error as exc:  # a reversed class range such as "[z-a]"
        raise ValueError(f"invalid glob pattern {pattern!r}: {exc}") from None

    literal: list[str] = []
    for segment in segments:
        if _has_wildcard(segment):
            break
        literal.append(segment)
    if len(literal) == len(segments):
        literal = literal[:-1]
    recursive = any(s == "**" for s in segments) or any(_has_wildcard(s) for s in segments[:-1])
    return GlobPlan(pattern=pattern, regex=regex, prefix="/".join(literal), recursive=recursive)


def glob_via_listing(backend: Backend, pattern: str) -> Iterator[FileInfo]:
    """Generic backend glob: list the plan's prefix, keep keys the regex matches.

    Used by backends whose native listing is the cheapest way to glob (Local, S3).
    Validation happens before the first ``next()`` only if the caller compiles first;
    ``Store.glob`` does, so errors surface at call time there.
    """
    plan = translate_glob(pattern)
    for info in backend.list_files(plan.prefix, recursive=plan.recursive):
        if plan.matches(str(info.path)):
            yield info
