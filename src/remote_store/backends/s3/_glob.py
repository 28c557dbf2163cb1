"""Where an S3 glob lists from: the longest literal key prefix of the pattern.

Matching semantics are the library's one glob dialect (``remote_store._glob``);
this module only narrows the listing. The shared plan lists whole literal
*segments*; on S3 any literal *characters* can go into ``Prefix=`` (for
``logs/2024-*.gz`` the listing starts at ``logs/2024-``), and only patterns that
can match below their first wildcard segment need the recursive stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..._glob import translate_glob

__all__ = ["S3GlobPlan", "plan_glob"]

_WILDCARDS = frozenset("*?[")


@dataclass(frozen=True)
class S3GlobPlan:
    regex: re.Pattern[str]
    prefix: str
    """Literal key prefix every match starts with (sent as ``Prefix=``)."""
    recursive: bool
    """True when matches may lie below the folder level of the first wildcard."""

    def matches(self, key: str) -> bool:
        return self.regex.fullmatch(key) is not None


def plan_glob(pattern: str) -> S3GlobPlan:
    """Compile ``pattern``; ``ValueError``/``InvalidPath`` exactly as the shared dialect."""
    plan = translate_glob(pattern)
    literal = "/".join(s for s in pattern.replace("\\", "/").split("/") if s not in ("", "."))
    cut = next((i for i, ch in enumerate(literal) if ch in _WILDCARDS), len(literal))
    return S3GlobPlan(plan.regex, literal[:cut], plan.recursive)
