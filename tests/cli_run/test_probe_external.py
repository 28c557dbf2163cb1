"""``run --endpoint ... --suite probe`` against harness topologies, as a user would run it.

Each probe run takes a few seconds (it writes 1,001 keys to prove pagination), so one run per
topology is shared by the tests of this module; each test checks one behaviour of that run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from remote_store_harness import FaultRule

from .conftest import CliResult, Endpoint, EndpointPool, run_cli_process

PROBE_CHECKS = {
    "tls", "checksums", "addressing_path", "addressing_virtual", "conditional_put",
    "conditional_multipart", "if_match", "metadata_case", "copy_metadata",
    "delimiter_subfolders", "delimiter_max_keys", "multipart", "pagination", "clock_skew",
    "latency", "versioning",
}  # fmt: skip
SECRET = "not-the-key-s3cr3t"  # moto accepts any secret; this one must never reach a report


def _probe(endpoint: Endpoint, report: Path) -> CliResult:
    argv = endpoint.args("--suite", "probe", "--quick")
    argv[argv.index("--secret") + 1] = SECRET
    return run_cli_process(argv, report)


@pytest.fixture(scope="module")
def tls_proxy_run(
    module_endpoints: EndpointPool, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Endpoint, CliResult]:
    endpoint = module_endpoints(tls=True, proxy="forward", addressing="virtual")
    return endpoint, _probe(endpoint, tmp_path_factory.mktemp("tls-proxy"))


@pytest.fixture(scope="module")
def plain_run(
    module_endpoints: EndpointPool, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Endpoint, CliResult]:
    endpoint = module_endpoints()
    endpoint.topology.request_log.clear()
    return endpoint, _probe(endpoint, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def stripping_run(
    module_endpoints: EndpointPool, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Endpoint, CliResult]:
    endpoint = module_endpoints()
    endpoint.topology.faults.add(FaultRule(kind="strip_header", header="If-None-Match"))
    return endpoint, _probe(endpoint, tmp_path_factory.mktemp("strip"))


# --- a TLS endpoint behind a forward proxy, virtual-host addressing --------------------------


def test_every_question_is_answered_and_all_hold_on_the_harness(tls_proxy_run: Any) -> None:
    _, result = tls_proxy_run
    assert result.code == 0, result.err
    rows = result.probe_rows()
    assert set(rows) == PROBE_CHECKS
    not_yes = {k: r["answer"] for k, r in rows.items() if r["verdict"] != "yes"}
    assert not_yes == {"versioning": "never enabled"}


def test_tls_row_names_the_ca_source_and_that_it_is_required(tls_proxy_run: Any) -> None:
    endpoint, result = tls_proxy_run
    tls = result.probe_rows()["tls"]
    assert tls["data"]["ca_origin"] == "--ca"
    assert tls["data"]["ca_path"] == endpoint.topology.ca_path
    assert tls["data"]["default_trust_verifies"] is False
    assert "required" in tls["answer"]


def test_virtual_host_row_shows_the_bucket_in_the_host_name(tls_proxy_run: Any) -> None:
    endpoint, result = tls_proxy_run
    row = result.probe_rows()["addressing_virtual"]
    assert row["data"]["url"].startswith(f"https://{endpoint.bucket}.s3.test:")


def test_recommended_config_carries_ca_proxy_and_addressing(tls_proxy_run: Any) -> None:
    endpoint, result = tls_proxy_run
    options = result.results["probes"][0]["recommendation"]["options"]
    assert options["tls_ca_bundle"] == endpoint.topology.ca_path
    config = options["client_options"]["config_kwargs"]
    assert config["s3"] == {"addressing_style": "virtual"}
    assert config["proxies"]["https"] == endpoint.topology.proxy_url
    assert "conditional_writes" not in options  # the default (True) is safe here


# --- a gateway that strips If-None-Match ----------------------------------------------------


def test_stripped_if_none_match_is_flagged_as_not_honoured(stripping_run: Any) -> None:
    _, result = stripping_run
    assert result.code == 0, result.err  # a finding about the target, not a broken run
    row = result.probe_rows()["conditional_put"]
    assert row["verdict"] == "no"
    assert "conditional writes not honoured" in row["answer"]


def test_stripped_if_none_match_is_flagged_on_multipart_complete_too(stripping_run: Any) -> None:
    _, result = stripping_run
    assert result.probe_rows()["conditional_multipart"]["verdict"] == "no"


def test_stripped_if_none_match_leads_to_conditional_writes_false(stripping_run: Any) -> None:
    _, result = stripping_run
    recommendation = result.results["probes"][0]["recommendation"]
    assert recommendation["options"]["conditional_writes"] is False
    assert "conditional_writes: false" in recommendation["yaml"]
    assert '"conditional_writes": False' in recommendation["python"]
    assert "conditional_writes: false" in result.out


def test_if_match_is_unaffected_by_stripping_if_none_match(stripping_run: Any) -> None:
    _, result = stripping_run
    assert result.probe_rows()["if_match"]["verdict"] == "yes"


# --- a plain endpoint: safety and report ----------------------------------------------------


def test_probe_leaves_nothing_in_the_bucket(plain_run: Any) -> None:
    endpoint, result = plain_run
    assert result.code == 0, result.err
    assert endpoint.keys() == []
    cleanup = result.results["probes"][0]["cleanup"]
    assert cleanup["deleted"] > 1000  # the pagination check alone writes 1,001 keys
    assert cleanup["failed"] == [] and cleanup["left_under_prefix"] == []


def test_probe_writes_only_under_its_unique_prefix(plain_run: Any) -> None:
    endpoint, result = plain_run
    prefix = result.results["probes"][0]["prefix"]
    writes = [
        r for r in endpoint.topology.request_log.records()
        if r.operation in ("PutObject", "CreateMultipartUpload", "CopyObject", "DeleteObject")
    ]  # fmt: skip
    assert len(writes) > 1000
    assert {r.path.split("/", 2)[1] for r in writes} == {endpoint.bucket}
    assert all(r.path.split("/", 2)[2].startswith(prefix) for r in writes)


def test_report_files_exist_and_html_embeds_its_charts(plain_run: Any) -> None:
    _, result = plain_run
    html = (result.report / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert (result.report / "report.md").read_text().startswith("# remote-store-harness run")


def test_report_carries_versions_and_the_command_line(plain_run: Any) -> None:
    _, result = plain_run
    data = result.results
    assert data["command"][:2] == ["remote-store-harness", "run"]
    assert "--endpoint" in data["command"]
    assert {"python", "boto3", "botocore", "aiobotocore", "s3fs", "moto", "trustme"} <= set(
        data["versions"]
    )


def test_secret_never_reaches_the_report(plain_run: Any) -> None:
    _, result = plain_run
    for name in ("report.md", "report.html", "results.json"):
        assert SECRET not in (result.report / name).read_text()
    assert SECRET not in result.out


def test_summary_table_and_progress_are_printed(plain_run: Any) -> None:
    _, result = plain_run
    assert "[probe external 1/16" in result.out  # plain progress lines: stdout is not a TTY
    assert "probe external" in result.out and "Result" in result.out
    assert "If-None-Match: * honoured on PUT" in result.out
