"""A server answering 405 to AbortMultipartUpload: the probe reports a finding (not an ERROR
that fails the run) and its cleanup names the upload it could not abort."""

from __future__ import annotations

from pathlib import Path

from remote_store_harness import FaultRule

from .conftest import EndpointPool, run_cli_process


def test_an_unsupported_abort_is_a_finding_and_cleanup_names_the_leaked_upload(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory()
    endpoint.topology.faults.add(FaultRule(
        kind="error", operation="AbortMultipartUpload", status=405, code="MethodNotAllowed",
    ))  # fmt: skip
    result = run_cli_process(endpoint.args("--suite", "probe", "--quick"), tmp_path)
    row = result.probe_rows()["multipart"]
    assert (row["verdict"], row["level"]) == ("no", "warn")
    assert "abort unsupported" in row["answer"] and "lifecycle rule" in row["answer"]
    assert "405" in row["evidence"]
    leaked = result.results["probes"][0]["cleanup"]["failed_uploads"]
    assert leaked and all("MethodNotAllowed" in item for item in leaked)
    assert any("/multipart/aborted (upload " in item for item in leaked)
    assert "NOT aborted:" in result.out
    assert result.code == 0, result.out[-2000:]
    assert result.results["status"] == "passed"
