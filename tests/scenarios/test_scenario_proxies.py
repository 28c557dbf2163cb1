"""Scenario 2: inherited and corporate HTTP proxies (S3 backend page, "Disabling inherited HTTP
proxies", "Pointing at a corporate proxy"), and what ``NO_PROXY`` really matches.

Routing is read from the harness forward proxy's log (``CONNECT host:port`` for https,
absolute-URI requests for http) and the gateway's log. Proof devices: the "wrong" proxy is a dead
port (using it fails), and ``s3.test`` resolves only through the proxy (reaching it proves the
proxy carried the request; going direct fails to resolve).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from scenario_support import (
    attempt,
    backend_kwargs,
    dead_port_url,
    describe_proxy,
    describe_records,
    host_name,
    make_store,
    served,
    unique_bucket,
)

SCENARIO = "proxies"

pytestmark = pytest.mark.usefixtures("require_s3")

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY")


def _require_squid() -> None:
    """Squid missing: skip locally, fail in CI (CI=true installs it)."""
    from remote_store_harness.net._squid import squid_missing_reason

    reason = squid_missing_reason(auth=True)
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Squid must run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(params=["forward", "squid"])
def proxy_kind(request: pytest.FixtureRequest) -> str:
    """The proxy in front: the harness's own forward proxy, or Debian's Squid (a real corporate
    proxy)."""
    if request.param == "squid":
        _require_squid()
    return str(request.param)


@pytest.fixture(scope="module")
def inherited_squid() -> Iterator[Callable[[int], Any]]:
    """``squid_for(port)``: a Squid (one per port, for the module) that may reach ``port``.

    The inherited-proxy scenarios talk to a *direct* topology, whose gateway port is not the one
    a ``proxy="squid"`` topology's Squid allows; a corporate proxy handed down by the
    environment would be allowed to reach the endpoint, so this one is configured for it."""
    from remote_store_harness.net._squid import SquidProxy

    started: dict[int, Any] = {}

    def squid_for(port: int) -> Any:
        if port not in started:
            started[port] = SquidProxy(ports=[port]).start()
        return started[port]

    yield squid_for
    for squid in started.values():
        squid.stop()


def _roundtrip(store: Any) -> None:
    """write, list, read: a little of everything the store does."""
    store.write("p/one.txt", b"proxied?", overwrite=True)
    names = [f.name for f in store.list_files("p")]
    assert names == ["one.txt"], names
    assert store.read_bytes("p/one.txt") == b"proxied?"


def _set_env_proxy(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in PROXY_VARS:
        monkeypatch.setenv(name, url)


#: The proxy the environment hands down: the harness forward proxy (its log shows use), Squid
#: (a real proxy; its access log shows use) or a dead port (use fails).
ENV_PROXIES = ["logging-proxy", "squid", "dead-port"]


def _with_inherited_proxy(
    topology: Any,
    tls: bool,
    env_proxy: str,
    monkeypatch: pytest.MonkeyPatch,
    prefix: str,
    inherited_squid: Callable[[int], Any],
) -> tuple[Any, Any, str]:
    """A direct topology with a fresh bucket, plus the proxy ``env_proxy`` names (see
    :data:`ENV_PROXIES`) set in the environment. Returns ``(direct topology, proxy log, bucket)``;
    for ``dead-port`` the log is the forward proxy's (it must stay empty too)."""
    direct = topology(tls=tls)
    if env_proxy == "squid":
        _require_squid()
        squid = inherited_squid(direct.gateway.port)
        url, log = squid.url, squid.log
    else:
        proxy_topo = topology(tls=tls, proxy="forward")
        url = proxy_topo.proxy_url if env_proxy == "logging-proxy" else dead_port_url()
        log = proxy_topo.proxy_log
    _set_env_proxy(monkeypatch, url)
    bucket = unique_bucket(prefix)
    direct.create_bucket(bucket)
    return direct, log, bucket


# ------------------------------------------------- inherited proxies disabled in config


CONFIG_PROXIES = {"none-values": {"http": None, "https": None}, "empty-dict": {}}


@pytest.mark.parametrize("config_proxies", list(CONFIG_PROXIES))
@pytest.mark.parametrize("env_proxy", ENV_PROXIES)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_config_proxies_none_ignores_inherited_env_proxy(
    tls: bool,
    env_proxy: str,
    config_proxies: str,
    topology: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
    inherited_squid: Any,
) -> None:
    direct, proxy_log, bucket = _with_inherited_proxy(
        topology, tls, env_proxy, monkeypatch, "noproxy", inherited_squid
    )
    options = backend_kwargs(direct, bucket)
    options["client_options"]["config_kwargs"]["proxies"] = dict(CONFIG_PROXIES[config_proxies])
    scenario_case.expect("works; proxy log empty", env_proxy=env_proxy)

    pmark, gmark = proxy_log.mark(), direct.request_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: _roundtrip(store))
    proxied = proxy_log.since(pmark)
    seen = direct.request_log.since(gmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied), gateway=len(seen))
    assert outcome.ok, f"store failed with an inherited proxy disabled, user saw: {outcome.text}"
    assert proxied == [], f"the inherited proxy was used: {describe_proxy(proxied)}"
    assert served(seen), "the gateway saw nothing: the requests went elsewhere"


@pytest.mark.parametrize("env_proxy", ENV_PROXIES)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_without_config_proxies_the_env_proxy_is_used_even_for_loopback(
    tls: bool,
    env_proxy: str,
    topology: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
    inherited_squid: Any,
) -> None:
    """The control for the test above: drop ``proxies`` and the inherited proxy takes over."""
    direct, proxy_log, bucket = _with_inherited_proxy(
        topology, tls, env_proxy, monkeypatch, "envproxy", inherited_squid
    )
    options = backend_kwargs(direct, bucket, keep_proxies=False)
    expected = "BackendUnavailable" if env_proxy == "dead-port" else "works through the proxy"
    scenario_case.expect(expected, env_proxy=env_proxy)

    pmark = proxy_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: store.write("p/one.txt", b"x", overwrite=True))
    proxied = proxy_log.since(pmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied))
    if env_proxy == "dead-port":
        from remote_store import BackendUnavailable

        assert isinstance(outcome.error, BackendUnavailable), (
            f"expected BackendUnavailable through a dead proxy, user saw: {outcome.text}"
        )
        return
    assert outcome.ok, f"write through the env proxy failed, user saw: {outcome.text}"
    method = "CONNECT" if tls else "PUT"
    assert [r.method for r in proxied] and proxied[0].method == method, describe_proxy(proxied)
    assert host_name(proxied[0].target) == "127.0.0.1"


# ------------------------------------------------------------- env proxy carries traffic


@pytest.mark.parametrize("with_env_proxy", [True, False], ids=["env-proxy", "no-proxy"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_env_proxy_reaches_an_endpoint_only_the_proxy_resolves(
    tls: bool,
    with_env_proxy: bool,
    topology: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
    proxy_kind: str,
) -> None:
    topo = topology(tls=tls, proxy=proxy_kind)
    assert host_name(topo.endpoint_url.split("://", 1)[1]) == "s3.test"
    if with_env_proxy:
        _set_env_proxy(monkeypatch, topo.proxy_url)
    bucket = unique_bucket("envres")
    topo.create_bucket(bucket)
    options = backend_kwargs(topo, bucket, keep_proxies=False)
    method = "CONNECT" if tls else "PUT"
    scenario_case.expect(
        f"works; proxy log shows {method} s3.test" if with_env_proxy else "BackendUnavailable"
    )
    pmark = topo.proxy_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: _roundtrip(store))
    proxied = topo.proxy_log.since(pmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied))
    if not with_env_proxy:
        from remote_store import BackendUnavailable

        assert isinstance(outcome.error, BackendUnavailable), (
            f"s3.test should not resolve without the proxy, user saw: {outcome.text}"
        )
        assert proxied == []
        return
    assert outcome.ok, f"store failed through the env proxy, user saw: {outcome.text}"
    assert proxied and {r.method for r in proxied} <= {method, "GET", "PUT", "HEAD"}
    assert proxied[0].method == method and host_name(proxied[0].target) == "s3.test"
    if tls:
        assert all(r.method == "CONNECT" for r in proxied), describe_proxy(proxied)
    else:
        assert all(r.uri and r.uri.startswith("http://s3.test:") for r in proxied)


# ------------------------------------------------------------ CA bundle through a proxy


@pytest.mark.parametrize("trust", ["harness-ca", "system-store"])
def test_the_ca_bundle_must_trust_the_endpoint_through_a_connect_tunnel(
    trust: str, topology: Any, scenario_case: Any, proxy_kind: str
) -> None:
    """Through CONNECT the TLS session runs end to end: ``tls_ca_bundle`` decides trust in the
    endpoint's certificate, whichever proxy carries the tunnel."""
    topo = topology(tls=True, proxy=proxy_kind)
    bucket = unique_bucket("catunnel")
    topo.create_bucket(bucket)
    options = backend_kwargs(topo, bucket, keep_ca=trust == "harness-ca")
    scenario_case.expect("works" if trust == "harness-ca" else "BackendUnavailable (TLS)")
    pmark = topo.proxy_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: _roundtrip(store))
    proxied = topo.proxy_log.since(pmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied))
    assert proxied and proxied[0].method == "CONNECT", describe_proxy(proxied)
    if trust == "harness-ca":
        assert outcome.ok, f"store failed through the tunnel, user saw: {outcome.text}"
        return
    from remote_store import BackendUnavailable

    assert isinstance(outcome.error, BackendUnavailable), outcome.text
    assert "TLS verification failed" in outcome.text, outcome.text


# ----------------------------------------------------------- corporate proxy in config


@pytest.mark.parametrize("auth", [False, True], ids=["no-auth", "auth"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_corporate_proxy_in_config_kwargs(
    tls: bool, auth: bool, topology: Any, scenario_case: Any, proxy_kind: str
) -> None:
    topo = topology(tls=tls, proxy=proxy_kind, proxy_auth=auth)
    bucket = unique_bucket("corp")
    topo.create_bucket(bucket)
    options = backend_kwargs(topo, bucket)
    proxies = options["client_options"]["config_kwargs"]["proxies"]
    assert proxies == {"http": topo.proxy_url, "https": topo.proxy_url}
    method = "CONNECT" if tls else "PUT"
    scenario_case.expect(f"works; proxy log shows {method}, authenticated={auth}")
    pmark = topo.proxy_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: _roundtrip(store))
    proxied = topo.proxy_log.since(pmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied))
    assert outcome.ok, f"store failed through the corporate proxy, user saw: {outcome.text}"
    assert proxied and proxied[0].method == method, describe_proxy(proxied)
    assert all(r.authenticated is auth for r in proxied), describe_proxy(proxied)
    assert all(r.status != 407 for r in proxied)


@pytest.mark.parametrize("credentials", ["wrong-password", "none"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_corporate_proxy_with_bad_credentials_gives_a_clear_error(
    tls: bool, credentials: str, topology: Any, scenario_case: Any, proxy_kind: str
) -> None:
    topo = topology(tls=tls, proxy=proxy_kind, proxy_auth=True)
    bucket = unique_bucket("corpbad")
    topo.create_bucket(bucket)
    url = (
        topo.proxy.url_with_credentials("harness", "not-the-password")
        if credentials == "wrong-password"
        else topo.proxy.url
    )
    options = backend_kwargs(topo, bucket)
    options["client_options"]["config_kwargs"]["proxies"] = {"http": url, "https": url}
    scenario_case.expect("an error naming the proxy and 407 Proxy Authentication Required")
    pmark, gmark = topo.proxy_log.mark(), topo.request_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: store.write("p/one.txt", b"x", overwrite=True))
    proxied = topo.proxy_log.since(pmark)
    scenario_case.observe(outcome.text, proxy_log=describe_proxy(proxied))

    from remote_store import RemoteStoreError

    assert isinstance(outcome.error, RemoteStoreError), (
        f"expected a remote_store error, user saw: {outcome.text}"
    )
    assert proxied and all(r.status == 407 for r in proxied), describe_proxy(proxied)
    assert served(topo.request_log.since(gmark)) == [], "a request got past the proxy"
    message = str(outcome.error).lower()
    assert "407" in message and "proxy" in message, (
        f"the error does not say the proxy refused the credentials (407): {outcome.error}"
    )


# --------------------------------------------------------------------------- NO_PROXY


@dataclass(frozen=True)
class NoProxyCase:
    id: str
    no_proxy: str | None
    endpoint: str  # "ip" (127.0.0.1), "localhost" or "s3.test"
    route: str  # "proxy" or "direct"
    lowercase: str | None = None  # value for no_proxy (lower case), when set
    config_proxy: bool = False  # proxies given in config_kwargs instead of the env
    why: str = ""


NO_PROXY_CASES = [
    NoProxyCase("unset-ip", None, "ip", "proxy", why="loopback is proxied like anything else"),
    NoProxyCase("ip-ip", "127.0.0.1", "ip", "direct", why="literal IP match"),
    NoProxyCase("localhost-ip", "localhost", "ip", "proxy", why="names are not resolved"),
    NoProxyCase("localhost-localhost", "localhost", "localhost", "direct", why="literal name"),
    NoProxyCase("cidr-ip", "127.0.0.0/8", "ip", "proxy", why="CIDR is not understood"),
    NoProxyCase("ipglob-ip", "127.0.0.*", "ip", "proxy", why="no globbing inside entries"),
    NoProxyCase("star-ip", "*", "ip", "direct", why="'*' alone bypasses every host"),
    NoProxyCase("star-s3test", "*", "s3.test", "direct", why="'*' alone bypasses every host"),
    NoProxyCase(
        "star-in-list-ip", "localhost,*", "ip", "proxy", why="'*' works only as the whole value"
    ),
    NoProxyCase("dotsuffix-s3test", ".test", "s3.test", "direct", why="'.suffix' matches"),
    NoProxyCase("suffix-s3test", "test", "s3.test", "direct", why="bare suffix matches at a dot"),
    NoProxyCase("name-s3test", "s3.test", "s3.test", "direct", why="exact name"),
    NoProxyCase("dotname-s3test", ".s3.test", "s3.test", "direct", why="leading dot ignored"),
    NoProxyCase("partial-label-s3test", "3.test", "s3.test", "proxy", why="only at a dot"),
    NoProxyCase("ip-text-suffix", "0.0.1", "ip", "direct", why="IPs are matched as text"),
    NoProxyCase("hostport-ip", "127.0.0.1:{port}", "ip", "direct", why="host:port matches"),
    NoProxyCase(
        "hostport-otherport-ip", "127.0.0.1:1", "ip", "proxy", why="port must be equal too"
    ),
    NoProxyCase(
        "spaces-list-ip", "example.invalid , 127.0.0.1", "ip", "direct", why="entries stripped"
    ),
    NoProxyCase("lowercase-ip", None, "ip", "direct", lowercase="127.0.0.1", why="no_proxy read"),
    NoProxyCase(
        "lowercase-empty-wins-ip",
        "127.0.0.1",
        "ip",
        "proxy",
        lowercase="",
        why="an empty no_proxy cancels NO_PROXY",
    ),
    NoProxyCase(
        "config-proxy-ignores-no-proxy",
        "*",
        "ip",
        "proxy",
        config_proxy=True,
        why="a proxy in config_kwargs ignores NO_PROXY",
    ),
]


@pytest.mark.parametrize("case", NO_PROXY_CASES, ids=[c.id for c in NO_PROXY_CASES])
def test_no_proxy_matching(
    case: NoProxyCase,
    topology: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
    proxy_kind: str,
) -> None:
    topo = topology(tls=False, proxy=proxy_kind)
    port = topo.gateway.port
    endpoint = {
        "ip": f"http://127.0.0.1:{port}",
        "localhost": f"http://localhost:{port}",
        "s3.test": f"http://s3.test:{port}",
    }[case.endpoint]
    if case.config_proxy:
        monkeypatch.setenv("HTTP_PROXY", dead_port_url())
    else:
        monkeypatch.setenv("HTTP_PROXY", topo.proxy_url)
    no_proxy = case.no_proxy.format(port=port) if case.no_proxy is not None else None
    if no_proxy is not None:
        monkeypatch.setenv("NO_PROXY", no_proxy)
    if case.lowercase is not None:
        monkeypatch.setenv("no_proxy", case.lowercase)
    bucket = unique_bucket("np")
    topo.create_bucket(bucket)
    options = backend_kwargs(topo, bucket, keep_proxies=case.config_proxy)
    options["endpoint_url"] = endpoint
    resolvable = case.endpoint != "s3.test"
    expected = case.route if case.route == "proxy" or resolvable else "direct (unresolvable)"
    scenario_case.expect(
        expected,
        NO_PROXY=no_proxy,
        no_proxy=case.lowercase,
        endpoint=case.endpoint,
        config_proxy=case.config_proxy,
        why=case.why,
    )

    pmark, gmark = topo.proxy_log.mark(), topo.request_log.mark()
    with make_store(options) as store:
        outcome = attempt(lambda: store.write("np.txt", b"x", overwrite=True))
    proxied = topo.proxy_log.since(pmark)
    reached = served(topo.request_log.since(gmark))
    if proxied:
        observed = "proxy"
    elif reached:
        observed = "direct"
    else:
        observed = "direct (unresolvable)" if not outcome.ok else "nowhere"
    scenario_case.observe(observed, outcome=outcome.text, proxy_log=describe_proxy(proxied))
    assert observed == expected, (
        f"NO_PROXY={no_proxy!r}: expected {expected}, went {observed}; user saw: {outcome.text}; "
        f"gateway: {describe_records(reached)}"
    )
    if observed != "direct (unresolvable)":
        assert outcome.ok, f"routed as expected but failed, user saw: {outcome.text}"
