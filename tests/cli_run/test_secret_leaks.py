"""``run`` writes no credential: not to stdout/stderr, report.md/html, results.json or charts.

The endpoint is a TLS topology reachable only through a forward proxy that demands a user
and password; the run gets planted access key, secret key and proxy userinfo (moto accepts
any access key), and the probe really talks through the proxy.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import EndpointPool, run_cli_process

KEY = "AKIAPLANTCLIKEY4R5T6Y"
SECRET = "plant-cli-secret-7u8i9o0p"
PROXY_USER = "plantcliproxyuser2w3e"
PROXY_PASSWORD = "plant-cli-proxy-pw-5t6y7u"
PLANTED = (KEY, SECRET, PROXY_USER, PROXY_PASSWORD)


def test_a_probe_run_through_an_authenticated_proxy_writes_no_credential(
    endpoint_factory: EndpointPool, tmp_path: Path
) -> None:
    endpoint = endpoint_factory(tls=True, proxy="forward", proxy_auth=(PROXY_USER, PROXY_PASSWORD))
    argv = endpoint.args()
    argv[argv.index("--key") + 1] = KEY
    argv[argv.index("--secret") + 1] = SECRET
    assert PROXY_PASSWORD in argv[argv.index("--proxy") + 1]
    proxy_log = endpoint.topology.proxy_log
    before = proxy_log.count(method="CONNECT")
    result = run_cli_process([*argv, "--suite", "probe"], tmp_path / "report")
    assert result.code == 0, result.out[-2000:] + result.err[-2000:]
    assert proxy_log.count(method="CONNECT") > before  # the probe went through the proxy
    written = sorted(p for p in result.report.rglob("*") if p.is_file())
    assert {p.name for p in written} >= {"report.md", "report.html", "results.json"}
    outputs = {"stdout": result.out, "stderr": result.err}
    outputs.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in written})
    leaks = {name: [v for v in PLANTED if v in text] for name, text in outputs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert "***@127.0.0.1" in (result.report / "report.md").read_text()
