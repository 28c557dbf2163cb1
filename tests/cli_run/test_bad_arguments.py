"""Bad arguments end with exactly one line on stderr, a non-zero status and nothing written.

Every failure path here answers within a second or two: the preflight uses a 3 s connect
timeout and a single attempt (no retries).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from remote_store_harness import FaultRule, HarnessCA

from .conftest import CliResult


def _one_error_line(result: CliResult) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert lines[0].startswith("remote-store-harness run: error: ")
    return lines[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint_is_one_line_and_status_3(run_cli: Any) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = run_cli(["--endpoint", url, "--bucket", "some-bucket", "--key", "k", "--secret", "s"])
    assert result.code == 3
    assert f"cannot reach endpoint {url}" in _one_error_line(result)


def test_missing_bucket_is_one_line_and_status_4(endpoint_factory: Any, run_cli: Any) -> None:
    endpoint = endpoint_factory()
    argv = endpoint.args()
    argv[argv.index("--bucket") + 1] = "no-such-bucket-here"
    result = run_cli(argv)
    assert result.code == 4
    assert "bucket 'no-such-bucket-here' does not exist" in _one_error_line(result)


def test_rejected_credentials_are_one_line_and_status_4(
    endpoint_factory: Any, run_cli: Any
) -> None:
    endpoint = endpoint_factory()
    endpoint.topology.faults.add(
        FaultRule(kind="error", status=403, code="InvalidAccessKeyId", message="unknown key")
    )
    result = run_cli(endpoint.args())
    assert result.code == 4
    assert "credentials rejected" in _one_error_line(result)


def test_denied_bucket_is_one_line_and_status_4(endpoint_factory: Any, run_cli: Any) -> None:
    endpoint = endpoint_factory()
    endpoint.topology.faults.add(FaultRule(kind="error", status=403, code="AccessDenied"))
    result = run_cli(endpoint.args())
    assert result.code == 4
    assert "denied" in _one_error_line(result)


def test_missing_ca_file_is_one_line_and_status_2(run_cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    result = run_cli(
        ["--endpoint", "https://127.0.0.1:1", "--bucket", "bkt", "--key", "k", "--secret", "s",
         "--ca", str(missing)]
    )  # fmt: skip
    assert result.code == 2
    assert f"--ca {missing}: no such file" in _one_error_line(result)


def test_ca_file_without_certificates_is_refused(run_cli: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    result = run_cli(
        ["--endpoint", "https://127.0.0.1:1", "--bucket", "bkt", "--key", "k", "--secret", "s",
         "--ca", str(junk)]
    )  # fmt: skip
    assert result.code == 2
    assert "not a PEM CA bundle" in _one_error_line(result) or "no CA" in result.err


def test_wrong_ca_fails_tls_verification_with_status_3(
    endpoint_factory: Any, run_cli: Any, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True)
    other_ca = HarnessCA.create().write_ca(tmp_path / "other-ca.pem")
    argv = endpoint.args()
    argv[argv.index("--ca") + 1] = str(other_ca)
    result = run_cli(argv)
    assert result.code == 3
    line = _one_error_line(result)
    assert "TLS verification" in line and "--ca" in line


def test_endpoint_without_bucket_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli(["--endpoint", "http://127.0.0.1:9", "--key", "k", "--secret", "s"])
    assert result.code == 2
    assert "--endpoint needs --bucket" in _one_error_line(result)


def test_bucket_without_endpoint_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli(["--bucket", "bkt"])
    assert result.code == 2
    assert "only make sense with --endpoint" in _one_error_line(result)


def test_missing_credentials_are_a_usage_error(run_cli: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    result = run_cli(["--endpoint", "http://127.0.0.1:9", "--bucket", "bkt"])
    assert result.code == 2
    assert "no credentials" in _one_error_line(result)


def test_malformed_endpoint_url_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli(["--endpoint", "s3.example", "--bucket", "bkt", "--key", "k", "--secret", "s"])
    assert result.code == 2
    assert "--endpoint must be an http:// or https:// URL" in _one_error_line(result)


def test_unknown_suite_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli(["--suite", "probe,fuzz"])
    assert result.code == 2
    assert "--suite: unknown ['fuzz']" in _one_error_line(result)


def test_no_report_is_written_when_arguments_are_bad(run_cli: Any) -> None:
    result = run_cli(["--suite", "nothing"])
    assert result.code == 2
    assert not (result.report / "results.json").exists()
