"""From probe answers to a remote_store configuration."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import remote_store_harness.probe
from remote_store_harness import Credentials, Endpoint
from remote_store_harness.probe import ProbeRow, ProbeTarget
from remote_store_harness.probe._recommend import (
    CONSEQUENCES,
    UNSUPPORTED_CONSEQUENCES,
    recommend,
)
from remote_store_harness.probe._run import _checks

TARGET = ProbeTarget(Endpoint("http://s3.local:9000", Credentials("AKID", "the-s3cr3t")), "bkt")


def _row(check: str, verdict: str, **data: object) -> ProbeRow:
    return ProbeRow(check, check, verdict, "ok", verdict, "", data=dict(data))  # type: ignore[arg-type]


def test_all_good_answers_keep_the_defaults() -> None:
    rows = [_row("conditional_put", "yes"), _row("conditional_multipart", "yes"),
            _row("addressing_path", "yes")]  # fmt: skip
    options = recommend(TARGET, rows).options
    assert "conditional_writes" not in options and "tls_ca_bundle" not in options
    assert options["client_options"]["config_kwargs"]["s3"] == {"addressing_style": "path"}


def test_if_none_match_ignored_on_multipart_only_still_disables_conditional_writes() -> None:
    rows = [_row("conditional_put", "yes"), _row("conditional_multipart", "no")]
    recommendation = recommend(TARGET, rows)
    assert recommendation.options["conditional_writes"] is False
    assert any("CompleteMultipartUpload" in note for note in recommendation.notes)


def test_path_style_failing_and_virtual_working_recommends_virtual() -> None:
    rows = [_row("addressing_path", "no"), _row("addressing_virtual", "yes")]
    config = recommend(TARGET, rows).options["client_options"]["config_kwargs"]
    assert config["s3"] == {"addressing_style": "virtual"}


def test_refused_default_checksums_recommend_when_required() -> None:
    rows = [_row("checksums", "no", default_checksum_accepted=False)]
    config = recommend(TARGET, rows).options["client_options"]["config_kwargs"]
    assert config["request_checksum_calculation"] == "when_required"


def test_yaml_refers_to_credentials_through_environment_variables() -> None:
    text = recommend(TARGET, []).yaml()
    assert 'key: "${AWS_ACCESS_KEY_ID}"' in text and "the-s3cr3t" not in text


def test_python_config_is_valid_python_reading_the_environment() -> None:
    source = recommend(TARGET, [_row("conditional_put", "no")]).python()
    compile(source, "<recommendation>", "exec")
    assert 'os.environ["AWS_SECRET_ACCESS_KEY"]' in source
    assert '"conditional_writes": False' in source


def test_yaml_loads_into_the_same_options() -> None:
    import yaml

    recommendation = recommend(TARGET, [_row("conditional_put", "no")])
    loaded = yaml.safe_load(recommendation.yaml())["backends"]["target"]["options"]
    assert {k: v for k, v in loaded.items() if k not in ("key", "secret")} == (
        recommendation.options
    )


# --- consequences of NO answers -----------------------------------------------------------------

_PROBE = Path(remote_store_harness.probe.__file__).parent
_NOT_NO = frozenset({"yes", "n/a", "error"})


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _no_capable_rows() -> set[str]:
    """Row names a check can answer NO under, read from the checks' source.

    Any check can: a 405/501 answer is a NO under the check's own name (``probe._run``). Beyond
    those, a ``ProbeRow(name, question, verdict, ...)`` whose verdict is not a literal yes/n/a/error
    can be a NO (a verdict held in a variable counts as one).
    """
    names = {name for name, _check in _checks(quick=False)}
    for path in _PROBE.glob("_checks_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ProbeRow"):
                continue
            name = _literal(node.args[0]) if node.args else None
            verdict = _literal(node.args[2]) if len(node.args) > 2 else None
            if name is not None and verdict not in _NOT_NO:
                names.add(name)
    return names


def test_every_check_that_can_answer_no_has_a_consequence() -> None:
    rows = _no_capable_rows()
    assert {"delimiter_subfolders", "pagination", "conditional_put", "multipart"} <= rows
    assert rows - set(CONSEQUENCES) == set()


def test_every_consequence_belongs_to_a_check() -> None:
    checks = {key.partition(":")[0] for key in CONSEQUENCES}
    assert checks - _no_capable_rows() == set()


@pytest.mark.parametrize(
    "check", sorted(CONSEQUENCES.keys() - {k for k in CONSEQUENCES if ":" in k})
)
def test_a_no_answer_gets_its_consequence_line(check: str) -> None:
    [line] = recommend(TARGET, [_row(check, "no")]).consequences
    assert line == f"{check} (no): {CONSEQUENCES[check]}"


def test_yes_answers_have_no_consequence_lines() -> None:
    rows = [_row(check, "yes") for check in CONSEQUENCES if ":" not in check]
    assert recommend(TARGET, rows).consequences == []


def test_delimiter_listing_without_subfolder_only_folders_names_the_incomplete_methods() -> None:
    [line] = recommend(TARGET, [_row("delimiter_subfolders", "no")]).consequences
    assert "list_folders and iter_children return incomplete results" in line


def test_ignored_if_none_match_says_overwrite_false_is_not_atomic() -> None:
    [line] = recommend(TARGET, [_row("conditional_put", "no")]).consequences
    assert "overwrite=False) is not atomic" in line and "conditional_writes=False" in line


def test_a_partial_answer_uses_its_own_line() -> None:
    [line] = recommend(TARGET, [_row("multipart", "partial")]).consequences
    assert line.endswith(CONSEQUENCES["multipart:partial"])


def test_refused_default_checksums_explain_when_required() -> None:
    rows = [_row("checksums", "yes", default_checksum_accepted=False)]
    [line] = recommend(TARGET, rows).consequences
    assert 'request_checksum_calculation="when_required"' in line


def test_an_unsupported_operation_names_the_operation_and_its_consequence() -> None:
    rows = [
        _row("copy_metadata", "no", unsupported_operation="CopyObject"),
        _row("multipart", "no", unsupported_operation="AbortMultipartUpload"),
    ]
    copy, abort = recommend(TARGET, rows).consequences
    assert copy.startswith("copy_metadata (CopyObject unsupported): CopyObject is not supported")
    assert abort.endswith(UNSUPPORTED_CONSEQUENCES["multipart"])


def test_consequences_are_in_the_json() -> None:
    recommendation = recommend(TARGET, [_row("pagination", "no")])
    assert recommendation.to_json()["consequences"] == recommendation.consequences
