"""§6.4.7 / §8.9: glob (capability-gated)."""

from __future__ import annotations

import pytest

from remote_store import Capability, Store

pytestmark = pytest.mark.requires_capability(Capability.GLOB)

TREE = ["a.txt", "b.csv", "d/c.txt", "d/e/f.txt", "d/e/g.csv", "x[1].txt"]


@pytest.fixture
def tree(store: Store) -> Store:
    for path in TREE:
        store.write(path, b"x")
    return store


def globbed(store: Store, pattern: str) -> set[str]:
    return {str(i.path) for i in store.glob(pattern)}


def test_star_matches_within_one_segment(tree: Store) -> None:
    assert globbed(tree, "*.txt") == {"a.txt", "x[1].txt"}


def test_double_star_matches_any_depth(tree: Store) -> None:
    assert globbed(tree, "**/*.csv") == {"b.csv", "d/e/g.csv"}


def test_trailing_double_star_matches_everything_below(tree: Store) -> None:
    assert globbed(tree, "d/**") == {"d/c.txt", "d/e/f.txt", "d/e/g.csv"}


def test_question_mark_matches_one_character(tree: Store) -> None:
    assert globbed(tree, "d/?.txt") == {"d/c.txt"}


def test_wildcard_in_a_middle_segment(tree: Store) -> None:
    assert globbed(tree, "*/e/*.txt") == {"d/e/f.txt"}


def test_character_class(tree: Store) -> None:
    assert globbed(tree, "[ab].*") == {"a.txt", "b.csv"}


def test_negated_character_class(tree: Store) -> None:
    assert globbed(tree, "[!a].*") == {"b.csv"}


def test_unterminated_bracket_is_literal(store: Store) -> None:
    store.write("x[1", b"x")
    assert globbed(store, "x[1") == {"x[1"}


def test_literal_pattern_matches_one_file(tree: Store) -> None:
    assert globbed(tree, "d/c.txt") == {"d/c.txt"}


def test_glob_yields_files_only(tree: Store) -> None:
    assert globbed(tree, "*") == {"a.txt", "b.csv", "x[1].txt"}


def test_glob_is_child_relative(tree: Store) -> None:
    assert globbed(tree.child("d"), "**/*.txt") == {"c.txt", "e/f.txt"}


def test_glob_double_star_glued_to_text_raises_value_error(tree: Store) -> None:
    with pytest.raises(ValueError):
        tree.glob("a**")
