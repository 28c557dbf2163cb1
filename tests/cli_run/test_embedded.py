"""``run`` without --endpoint: the embedded moto, probed through every quick topology."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import run_cli_process


@pytest.fixture(scope="module")
def embedded_probe(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run_cli_process(["--suite", "probe", "--quick"], tmp_path_factory.mktemp("embedded"))


def test_embedded_probe_covers_plain_and_tls_proxy_virtual_topologies(embedded_probe: Any) -> None:
    assert embedded_probe.code == 0, embedded_probe.err
    labels = [p["target"]["label"] for p in embedded_probe.results["probes"]]
    assert labels == ["moto-http-path", "moto-tls-proxy-virtual"]


def test_embedded_moto_honours_conditional_writes_in_every_topology(embedded_probe: Any) -> None:
    for probe in embedded_probe.results["probes"]:
        rows = {r["check"]: r["verdict"] for r in probe["rows"]}
        assert rows["conditional_put"] == rows["conditional_multipart"] == "yes"


def test_embedded_run_is_recorded_as_embedded_with_suites_chosen(embedded_probe: Any) -> None:
    data = embedded_probe.results
    assert data["mode"] == "embedded" and data["quick"] is True
    assert data["suites"] == []  # only the probe was asked for
    assert data["status"] == "passed"


def test_embedded_run_gives_no_config_pointing_at_ports_and_files_that_end_with_it(
    embedded_probe: Any,
) -> None:
    assert all(p["recommendation"] is None for p in embedded_probe.results["probes"])
    assert "Recommended remote_store config" not in embedded_probe.out
    assert "harness-topology-" not in embedded_probe.out  # no temporary CA path is printed
    assert "through --proxy" not in embedded_probe.out


def test_embedded_probe_answers_cite_no_flag_that_was_not_given(embedded_probe: Any) -> None:
    report = (embedded_probe.report / "report.md").read_text()
    tls = embedded_probe.probe_rows(1)["tls"]
    assert tls["answer"].startswith("yes, with CA from the harness CA (embedded target)")
    for text in (embedded_probe.out, report, str(embedded_probe.results["probes"])):
        assert "--ca" not in text and "--proxy" not in text
