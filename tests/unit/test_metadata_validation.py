"""IO-18: metadata validation and lowercase normalisation."""

from __future__ import annotations

import pytest

from remote_store._metadata import normalize_metadata


def test_none_and_empty_are_no_metadata() -> None:
    assert normalize_metadata(None) is None and normalize_metadata({}) is None


def test_keys_are_lowercased() -> None:
    assert normalize_metadata({"Content-Owner": "Ops Team"}) == {"content-owner": "Ops Team"}


@pytest.mark.parametrize(
    "metadata",
    [
        {"": "v"},
        {"_k": "v"},
        {"k y": "v"},
        {"ключ": "v"},
        {"k": "ü"},
        {"k": " padded"},
        {"k": "line\nbreak"},
        {"k": 1},
        {1: "v"},
        {"k": "v" * 2048},
        {"a": "1", "A": "2"},
    ],
)
def test_invalid_metadata_raises_value_error(metadata: dict[object, object]) -> None:
    with pytest.raises(ValueError):
        normalize_metadata(metadata)  # type: ignore[arg-type]


def test_non_mapping_raises_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_metadata([("k", "v")])  # type: ignore[arg-type]
