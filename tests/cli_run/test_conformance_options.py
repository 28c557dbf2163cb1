"""run --endpoint applies the probe's recommended options to conformance by default;
--as-configured runs without them. The endpoint ignores If-None-Match (the gateway strips it),
so the probe recommends conditional_writes=False."""

from __future__ import annotations

from pathlib import Path

from remote_store_harness import FaultRule

from .conftest import EndpointPool, run_cli_process

_CASES = [
    "--quick", "--suite", "probe,conformance", "--pytest-arg=-k",
    "--pytest-arg=test_write_without_overwrite_refuses_an_existing_file",
]  # fmt: skip


def _ignoring_if_none_match(endpoint_factory: EndpointPool) -> list[str]:
    endpoint = endpoint_factory()
    endpoint.topology.faults.add(FaultRule(kind="strip_header", header="If-None-Match"))
    return endpoint.args(*_CASES)


def test_conformance_passes_with_the_recommended_config_and_says_so(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    result = run_cli_process(_ignoring_if_none_match(endpoint_factory), tmp_path)
    used = result.results["conformance_options"]
    assert used["mode"] == "recommended by the probe"
    assert used["options"]["conditional_writes"] is False
    assert result.code == 0, result.out[-3000:]
    assert "recommended by the probe" in (tmp_path / "report.md").read_text()


def test_conformance_fails_as_configured(endpoint_factory: EndpointPool, tmp_path: Path) -> None:
    argv = [*_ignoring_if_none_match(endpoint_factory), "--as-configured"]
    result = run_cli_process(argv, tmp_path)
    assert result.results["conformance_options"]["mode"] == "as-configured"
    assert result.code == 1
    assert result.results["status"] == "failed"


def test_a_backend_option_reaches_the_suite(endpoint_factory: EndpointPool, tmp_path: Path) -> None:
    argv = [*_ignoring_if_none_match(endpoint_factory), "--as-configured",
            "--backend-option", "conditional_writes=false"]  # fmt: skip
    result = run_cli_process(argv, tmp_path)
    assert result.results["conformance_options"]["options"] == {"conditional_writes": False}
    assert result.code == 0, result.out[-3000:]
