"""From probe answers to a remote_store configuration."""

from __future__ import annotations

from remote_store_harness import Credentials, Endpoint
from remote_store_harness.probe import ProbeRow, ProbeTarget
from remote_store_harness.probe._recommend import recommend

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
