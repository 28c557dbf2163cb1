"""``run --endpoint --proxy/--addressing``: the conformance suite goes through the user's proxy.

The endpoint is a harness topology whose host ``s3.test`` only its forward proxy resolves, like a
service reachable only through a corporate proxy.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import CliResult, Endpoint, EndpointPool, run_cli_process

#: A small slice of the conformance suite (a few seconds) that reads and writes objects.
_SUBSET = ["--pytest-arg=-k", "--pytest-arg=s3-http and test_read"]


def _conformance(endpoint: Endpoint, tmp_path: Path, *argv: str) -> CliResult:
    return run_cli_process([*argv, "--suite", "conformance", "--quick", *_SUBSET], tmp_path)


def _assert_passed_on_s3_http(result: CliResult) -> None:
    assert result.code == 0, result.out[-2000:] + result.err[-2000:]
    suite = result.results["suites"][0]
    assert suite["status"] == "passed" and suite["counts"].get("passed", 0) >= 1
    assert all("s3-http" in case["nodeid"] for case in suite["cases"])


def test_conformance_reaches_a_proxy_only_tls_endpoint_through_the_proxy(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True, proxy="forward")
    proxy_log = endpoint.topology.proxy_log
    connects_before = proxy_log.count(method="CONNECT")
    result = _conformance(endpoint, tmp_path, *endpoint.args())
    _assert_passed_on_s3_http(result)
    assert proxy_log.count(method="CONNECT") > connects_before
    args = result.results["suites"][0]["pytest_args"]
    assert args[args.index("--s3-proxy") + 1] == endpoint.topology.proxy_url
    assert endpoint.keys() == []


def test_conformance_uses_virtual_host_addressing_through_the_proxy(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(proxy="forward", addressing="virtual")
    mark = endpoint.topology.request_log.mark()
    result = _conformance(endpoint, tmp_path, *endpoint.args())
    _assert_passed_on_s3_http(result)
    records = endpoint.topology.request_log.since(mark)
    assert records and endpoint.topology.proxy_log.count() >= 1
    assert {r.host.split(":")[0] for r in records} == {f"{endpoint.bucket}.s3.test"}


def test_without_the_proxy_a_proxy_only_endpoint_is_reported_unreachable(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True, proxy="forward")
    argv = endpoint.args()
    proxy_at = argv.index("--proxy")
    del argv[proxy_at : proxy_at + 2]
    mark = endpoint.topology.request_log.mark()
    result = _conformance(endpoint, tmp_path, *argv)
    assert result.code == 3, result.err  # documented: endpoint unreachable
    assert "s3.test" in result.err
    assert endpoint.topology.request_log.since(mark) == []


def test_against_an_endpoint_only_the_endpoint_as_given_runs_so_selecting_others_fails(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True, proxy="forward")
    argv = [*endpoint.args(), "--suite", "conformance"]
    argv += ["--pytest-arg=-k", "--pytest-arg=s3-tls and test_read_bytes_returns_what_was_written"]
    result = run_cli_process(argv, tmp_path)
    assert result.results["suites"][0]["cases"] == []  # the run keeps its own s3-http selection
    assert result.code == 1 and result.results["status"] == "failed"  # nothing ran: not passed
