"""§8.9 with IO-21: glob pattern -> regex, listing prefix and recursion flag."""

from __future__ import annotations

import pytest

from remote_store import InvalidPath
from remote_store._glob import translate_glob


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "d/a.txt", False),
        ("?.txt", "ab.txt", False),
        ("**/*.txt", "a.txt", True),
        ("**/*.txt", "x/y/a.txt", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**", "a/x/y", True),
        ("[ab]c", "bc", True),
        ("[!ab]c", "cc", True),
        ("[!ab]c", "ac", False),
        ("[!a]", "/", False),
        ("[a-c]x", "bx", True),
        ("x[1", "x[1", True),
        ("a+b(c)", "a+b(c)", True),
        ("[.^$]x", "^x", True),
        ("[.^$]x", "ax", False),
        ("[a&&b]", "&", True),
        ("[]]x", "]x", True),
    ],
)
def test_regex(pattern: str, key: str, matches: bool) -> None:
    assert translate_glob(pattern).matches(key) is matches


@pytest.mark.parametrize(
    ("pattern", "prefix", "recursive"),
    [
        ("a/b/*.txt", "a/b", False),
        ("a/b/c.txt", "a/b", False),
        ("*.txt", "", False),
        ("a/*/c.txt", "a", True),
        ("a/**", "a", True),
        ("/a//b/*", "a/b", False),
    ],
)
def test_prefix_and_recursion(pattern: str, prefix: str, recursive: bool) -> None:
    plan = translate_glob(pattern)
    assert (plan.prefix, plan.recursive) == (prefix, recursive)


@pytest.mark.parametrize("pattern", ["a**", "**x", "a**/b", "x/**y/z"])
def test_double_star_not_a_whole_segment_raises_value_error(pattern: str) -> None:
    with pytest.raises(ValueError):
        translate_glob(pattern)


@pytest.mark.parametrize("pattern", ["../x", "a\0b"])
def test_unaddressable_patterns_raise_invalid_path(pattern: str) -> None:
    with pytest.raises(InvalidPath):
        translate_glob(pattern)
