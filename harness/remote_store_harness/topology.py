"""A topology: target + gateway (+ TLS) (+ forward proxy), described by one frozen spec.

Data path::

    client --(ForwardProxy, optional)--> Gateway (TLS optional; log, latency, faults) --> Target

The gateway is always present because it is the one place every request can be observed, TLS or
not. Addressing decides the endpoint host name:

=============  ======================  =====================================================
addressing     proxy                   endpoint host (``<scheme>://HOST:<gateway port>``)
=============  ======================  =====================================================
path           none                    ``127.0.0.1``
path           forward                 ``s3.test`` (only the proxy resolves it)
virtual        forward                 ``s3.test`` (``bucket.s3.test`` resolved by the proxy)
virtual        none                    ``s3.test`` (resolved by :class:`HarnessResolver` given to
                                       aiohttp; boto3 clients get an equivalent request hook)
=============  ======================  =====================================================

A client given the topology's options never consults proxy environment variables: the options
always carry an explicit ``proxies`` value (``None`` entries when there is no proxy).

Direct topologies (no gateway) exist for external targets the gateway cannot front: an endpoint
that is not ``http://host:port`` (e.g. https), or one that carries its own ``proxy_url`` or
``addressing="virtual"`` (:class:`ExternalTarget`; the gateway would bypass the user's proxy and
lose ``bucket.host`` names). Only the plain spec (``tls=False, proxy="none",
addressing="path"``) maps to one; it means "the endpoint as the user configured it": the client
options use the target's CA, proxy and addressing, and nothing is observed. Any other spec raises
:class:`TopologyError` (the conformance plug-in turns that into a skip).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from .endpoint import Addressing, Endpoint, boto3_client
from .errors import TopologyError
from .observe._faults import FaultPlan, Latency
from .observe._requestlog import ProxyLog, RequestLog
from .targets._base import Credentials, Target

if TYPE_CHECKING:
    from .net._forward_proxy import ForwardProxy
    from .net._gateway import Gateway
    from .net._resolver import HarnessResolver
    from .net._squid import SquidProxy
    from .net._tls import HarnessCA

__all__ = [
    "DEFAULT_PROXY_CREDENTIALS",
    "TEST_HOST",
    "Topology",
    "TopologyError",
    "TopologySpec",
    "start_topology",
]

#: The endpoint host name only the harness resolves (proxy map or HarnessResolver).
TEST_HOST = "s3.test"
#: Proxy credentials used when ``proxy_auth=True``.
DEFAULT_PROXY_CREDENTIALS = ("harness", "harness-proxy-secret")

#: ``forward``: the harness's own asyncio proxy (logs, faults); ``squid``: Debian's Squid, a real
#: corporate proxy (see :mod:`remote_store_harness.net._squid`).
ProxyMode = Literal["none", "forward", "squid"]


@dataclass(frozen=True)
class TopologySpec:
    """What to run. Hashable: the pytest factory caches one running topology per spec.

    ``target``: ``moto`` (subprocess), ``moto-thread``, ``minio`` or ``external`` (the latter
    needs a target object passed to :func:`start_topology`). ``proxy_auth``: False, True (use
    :data:`DEFAULT_PROXY_CREDENTIALS`) or ``(user, password)``; needs ``proxy="forward"``.
    ``indexed_listing`` only applies when :func:`start_topology` starts a moto subprocess itself.
    """

    target: str = "moto"
    tls: bool = False
    proxy: ProxyMode = "none"
    proxy_auth: bool | tuple[str, str] = False
    addressing: Addressing = "path"
    latency: Latency = field(default_factory=Latency)
    indexed_listing: bool = False

    def __post_init__(self) -> None:
        if self.proxy not in ("none", "forward", "squid"):
            raise TopologyError(f"proxy must be 'none', 'forward' or 'squid', got {self.proxy!r}")
        if self.addressing not in ("path", "virtual"):
            raise TopologyError(f"addressing must be 'path' or 'virtual', got {self.addressing!r}")
        if self.proxy_auth and self.proxy == "none":
            raise TopologyError("proxy_auth needs proxy='forward' or 'squid'")

    @property
    def proxy_credentials(self) -> tuple[str, str] | None:
        if not self.proxy_auth:
            return None
        if self.proxy_auth is True:
            return DEFAULT_PROXY_CREDENTIALS
        return self.proxy_auth  # type: ignore[return-value]

    def label(self) -> str:
        """Short id for test ids and reports, e.g. ``moto-tls-proxy-virtual``."""
        parts = [self.target, "tls" if self.tls else "http"]
        if self.proxy != "none":
            kind = "proxy" if self.proxy == "forward" else "squid"
            parts.append(f"{kind}auth" if self.proxy_auth else kind)
        parts.append(self.addressing)
        if not self.latency.is_zero:
            parts.append(f"{self.latency.fixed_ms:g}ms")
        return "-".join(parts)


class _GatewayRoute:
    """Clients reach the target through the harness gateway (and the forward proxy, if any):
    every request is observed, and latency and faults can be injected."""

    observed = True

    def __init__(
        self,
        spec: TopologySpec,
        gateway: Gateway,
        proxy: ForwardProxy | SquidProxy | None,
        credentials: Credentials,
        ca_path: Path | None,
    ) -> None:
        self.gateway = gateway
        if spec.addressing == "path" and proxy is None:
            url = gateway.url
        else:
            url = f"{'https' if spec.tls else 'http'}://{TEST_HOST}:{gateway.port}"
        proxy_url: str | None = None
        if proxy is not None:
            creds = spec.proxy_credentials
            proxy_url = proxy.url_with_credentials(*creds) if creds else proxy.url
        self.endpoint = Endpoint(
            url,
            credentials,
            ca_path=str(ca_path) if ca_path is not None else None,
            proxy_url=proxy_url,
            addressing=spec.addressing,
        )
        # Without a proxy, only the harness resolves s3.test and bucket.s3.test names.
        self.needs_resolver = proxy is None and spec.addressing == "virtual"

    @property
    def gateway_url(self) -> str:
        return self.gateway.url

    @property
    def log(self) -> RequestLog:
        return self.gateway.log

    def require_gateway(self) -> Gateway:
        return self.gateway


class _DirectRoute:
    """Clients reach the target's own endpoint as configured (its CA, proxy and addressing; the
    host names are the user's): nothing is observed, nothing can be injected."""

    observed = False
    needs_resolver = False

    def __init__(self, target: Target) -> None:
        self.endpoint = target.endpoint
        self.log = RequestLog()  # always empty

    @property
    def gateway_url(self) -> str:
        return self.endpoint.url

    def require_gateway(self) -> Gateway:
        raise TopologyError(
            "this topology talks to an external endpoint directly: no gateway, so no "
            "latency or fault injection"
        )


class Topology:
    """A running topology. Create with :func:`start_topology`; :meth:`stop` releases everything.

    How clients reach the target is one of two routes, fixed at start: through the gateway
    (observed) or, for an external endpoint the gateway cannot front, directly. Everything a
    client is told (:attr:`endpoint` and the option builders below) comes from that route.
    """

    def __init__(
        self,
        spec: TopologySpec,
        *,
        target: Target,
        owns_target: bool,
        gateway: Gateway | None,
        proxy: ForwardProxy | SquidProxy | None,
        ca: HarnessCA | None,
        ca_path: Path | None,
        workdir: tempfile.TemporaryDirectory[str] | None,
    ) -> None:
        self.spec = spec
        self.target = target
        self.gateway = gateway
        self.proxy = proxy
        self.ca = ca
        self._owns_target = owns_target
        self._workdir = workdir
        self._resolver: HarnessResolver | None = None
        self._stopped = False
        self._route: _GatewayRoute | _DirectRoute = (
            _DirectRoute(target)
            if gateway is None
            else _GatewayRoute(spec, gateway, proxy, target.credentials, ca_path)
        )

    # -- addresses -------------------------------------------------------------------------------
    @property
    def endpoint(self) -> Endpoint:
        """Everything a client needs to reach this topology, as one value."""
        return self._route.endpoint

    @property
    def scheme(self) -> str:
        return urlsplit(self.endpoint.url).scheme

    @property
    def observed(self) -> bool:
        """False for a direct topology (external https endpoint): no log, latency or faults."""
        return self._route.observed

    @property
    def gateway_url(self) -> str:
        """``<scheme>://127.0.0.1:<port>``: the gateway reached directly (no names involved);
        a direct topology's endpoint URL."""
        return self._route.gateway_url

    @property
    def endpoint_url(self) -> str:
        """The endpoint a client should use (see the module docstring's table)."""
        return self.endpoint.url

    @property
    def ca_path(self) -> str | None:
        """PEM file of the CA a client must trust (None when plain HTTP / system trust)."""
        return self.endpoint.ca_path

    @property
    def proxy_url(self) -> str | None:
        """Proxy URL including credentials when the proxy wants them (None without a proxy).

        For a direct topology: the external target's own proxy (its ``endpoint.proxy_url``).
        """
        return self.endpoint.proxy_url

    @property
    def credentials(self) -> Credentials:
        return self.endpoint.credentials

    @property
    def addressing(self) -> Addressing:
        """Bucket addressing clients use: the spec's, or a direct external target's own."""
        return self.endpoint.addressing

    @property
    def needs_resolver(self) -> bool:
        """True when the endpoint name resolves only through :attr:`resolver` (no proxy).

        Never for a direct topology: its host names are the user's (their DNS or their proxy).
        """
        return self._route.needs_resolver

    @property
    def resolver(self) -> HarnessResolver:
        """An aiohttp resolver for ``s3.test``/``*.s3.test`` (shared, deepcopy-safe)."""
        if self._resolver is None:
            from .net._resolver import HarnessResolver

            self._resolver = HarnessResolver()
        return self._resolver

    # -- observation and injection ---------------------------------------------------------------
    @property
    def request_log(self) -> RequestLog:
        """The gateway's log (an always-empty log for a direct topology)."""
        return self._route.log

    @property
    def proxy_log(self) -> ProxyLog | None:
        return self.proxy.log if self.proxy is not None else None

    @property
    def faults(self) -> FaultPlan:
        return self._route.require_gateway().faults

    def set_latency(self, latency: Latency) -> None:
        """Applies to requests that start after the call."""
        self._route.require_gateway().set_latency(latency)

    # -- client configuration --------------------------------------------------------------------
    def _proxies(self) -> dict[str, str | None]:
        url = self.proxy_url
        return {"http": url, "https": url}

    def config_kwargs(self) -> dict[str, Any]:
        """botocore ``Config`` keyword arguments for aiobotocore/s3fs (fresh dict each call)."""
        kwargs: dict[str, Any] = {
            "proxies": self._proxies(),
            "s3": {"addressing_style": self.addressing},
        }
        if self.needs_resolver:
            kwargs["connector_args"] = {"resolver": self.resolver}
        return kwargs

    def s3_options(self, bucket: str) -> dict[str, Any]:
        """Options of remote_store's ``BackendConfig(type="s3")`` for ``bucket`` here."""
        creds = self.credentials
        options: dict[str, Any] = {
            "bucket": bucket,
            "endpoint_url": self.endpoint_url,
            "key": creds.access_key,
            "secret": creds.secret_key,
            "region_name": creds.region,
            "client_options": {"config_kwargs": self.config_kwargs()},
        }
        if self.ca_path is not None:
            options["tls_ca_bundle"] = self.ca_path
        return options

    def s3fs_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``s3fs.S3FileSystem`` (CA passed as ``verify``; no env needed)."""
        creds = self.credentials
        client_kwargs: dict[str, Any] = {"region_name": creds.region}
        if self.ca_path is not None:
            client_kwargs["verify"] = self.ca_path
        return {
            "key": creds.access_key,
            "secret": creds.secret_key,
            "endpoint_url": self.endpoint_url,
            "client_kwargs": client_kwargs,
            "config_kwargs": self.config_kwargs(),
        }

    def boto3_client(self, **config_overrides: Any) -> Any:
        """A boto3 S3 client wired like :meth:`s3_options` (proxy, CA, addressing).

        Without a proxy and with virtual addressing, a ``before-send`` hook connects to 127.0.0.1
        while keeping ``Host: bucket.s3.test:PORT`` (urllib3 cannot take a resolver).
        """
        client = boto3_client(self.endpoint, **config_overrides)
        if self.needs_resolver:
            resolver = self.resolver
            client.meta.events.register("before-send.s3", _make_loopback_hook(resolver))
        return client

    def env(self) -> dict[str, str]:
        """Environment a user exports to reach this topology with stock tools (boto3, aws CLI)."""
        creds = self.credentials
        env = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": creds.access_key,
            "AWS_SECRET_ACCESS_KEY": creds.secret_key,
            "AWS_DEFAULT_REGION": creds.region,
        }
        if self.ca_path is not None:
            env["AWS_CA_BUNDLE"] = self.ca_path
        if self.proxy_url is not None:
            env["HTTPS_PROXY"] = self.proxy_url
            env["HTTP_PROXY"] = self.proxy_url
        return env

    # -- buckets and lifecycle -------------------------------------------------------------------
    def create_bucket(self, name: str) -> None:
        """Create ``name`` on the target directly (not through the gateway: nothing is logged).

        Behind Squid with virtual addressing, ``name.s3.test`` is added to Squid's hosts file
        (which has no wildcards)."""
        self.target.create_bucket(name)
        add_host = getattr(self.proxy, "add_host", None)
        if add_host is not None and self.spec.addressing == "virtual":
            add_host(f"{name}.{TEST_HOST}")

    def delete_bucket(self, name: str) -> None:
        self.target.delete_bucket(name)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Stop proxy, gateway and (if started here) the target; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        errors: list[BaseException] = []
        for part in (self.proxy, self.gateway):
            if part is not None:
                try:
                    part.stop()
                except Exception as exc:
                    errors.append(exc)
        if self._owns_target:
            try:
                self.target.stop()
            except Exception as exc:
                errors.append(exc)
        if self._workdir is not None:
            self._workdir.cleanup()
        if errors:
            raise TopologyError(f"errors while stopping the topology: {errors}")

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else self.endpoint_url
        return f"Topology({self.spec.label()}, {state})"


def _make_loopback_hook(resolver: HarnessResolver) -> Any:
    """botocore ``before-send`` hook: connect to the mapped IP, keep the original Host header."""

    def hook(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        address = resolver.lookup(host)
        if address is None:
            return
        netloc = f"{address}:{parts.port}" if parts.port else address
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    return hook


def start_topology(
    spec: TopologySpec | None = None,
    *,
    target: Target | None = None,
    ca: HarnessCA | None = None,
    certs_dir: str | Path | None = None,
    log_maxlen: int | None = None,
) -> Topology:
    """Start what ``spec`` describes and return the running :class:`Topology`.

    ``target``: an already running target to put behind the gateway (not stopped by
    :meth:`Topology.stop`); otherwise one of kind ``spec.target`` is started and owned.
    ``ca``: the CA that issues the gateway's leaf (a new one is created when TLS needs one).
    ``certs_dir``: where ``ca.pem`` is written (a temporary directory, removed at stop, otherwise).
    ``log_maxlen``: keep only the newest N gateway records (long-running processes such as the CLI).
    """
    spec = spec or TopologySpec()
    from .net._forward_proxy import ForwardProxy
    from .net._gateway import Gateway

    owns_target = target is None
    if target is None:
        from .targets import start_target

        if spec.target == "external":
            raise TopologyError("an external target must be passed in (target=ExternalTarget(...))")
        options: dict[str, object] = {}
        if spec.target == "moto" and spec.indexed_listing:
            options["indexed_listing"] = True
        if spec.target == "rclone-tls":  # rclone serves a leaf of the topology's CA itself
            from .net._tls import HarnessCA
            from .targets._rclone import ServerTLS

            ca = ca or HarnessCA.create()
            rclone_leaf = ca.issue_server_cert("127.0.0.1", "localhost")
            options["tls"] = ServerTLS(
                rclone_leaf.chain_pem, rclone_leaf.private_key_pem, ca.ca_pem
            )
        target = start_target(spec.target, **options)
    workdir: tempfile.TemporaryDirectory[str] | None = None
    gateway: Gateway | None = None
    proxy: ForwardProxy | SquidProxy | None = None
    try:
        why_direct = _direct_reason(target)
        if why_direct is not None:
            if spec.tls or spec.proxy != "none" or spec.addressing != "path":
                raise TopologyError(
                    f"target {target.endpoint_url} {why_direct}, so no gateway can front it; "
                    "only TopologySpec(tls=False, proxy='none', addressing='path') (a direct "
                    "topology: the endpoint as configured) is possible"
                )
            return Topology(
                spec,
                target=target,
                owns_target=owns_target,
                gateway=None,
                proxy=None,
                ca=ca,
                ca_path=None,
                workdir=None,
            )
        ca_path: Path | None = None
        leaf = None
        if spec.tls:
            if ca is None:
                from .net._tls import HarnessCA

                ca = HarnessCA.create()
            if certs_dir is None:
                workdir = tempfile.TemporaryDirectory(prefix="harness-topology-")
                certs_dir = workdir.name
            ca_path = ca.write_ca(Path(certs_dir) / "ca.pem")
            leaf = ca.issue_server_cert()
        gateway = Gateway(
            target.endpoint_url,
            tls=leaf,
            latency=spec.latency,
            log=RequestLog(maxlen=log_maxlen),
        ).start()
        if spec.proxy == "forward":
            address = (gateway.host, gateway.port)
            proxy = ForwardProxy(
                resolve={TEST_HOST: address, f"*.{TEST_HOST}": address},
                auth=spec.proxy_credentials,
            ).start()
        elif spec.proxy == "squid":
            from .net._squid import SquidProxy

            proxy = SquidProxy(ports=[gateway.port], auth=spec.proxy_credentials).start()
    except BaseException:
        for part in (proxy, gateway):
            if part is not None:
                part.stop()
        if owns_target:
            target.stop()
        if workdir is not None:
            workdir.cleanup()
        raise
    return Topology(
        spec,
        target=target,
        owns_target=owns_target,
        gateway=gateway,
        proxy=proxy,
        ca=ca,
        ca_path=ca_path,
        workdir=workdir,
    )


def _direct_reason(target: Target) -> str | None:
    """Why ``target`` must be used directly (None when the gateway can front it).

    The gateway forwards to ``http://host:port`` only, by itself (no proxy), path-style and
    trusting no CA of the target's.
    """
    endpoint = target.endpoint
    if endpoint.proxy_url:
        return "is reached through its own proxy"
    if endpoint.addressing != "path":
        return "needs virtual-host addressing"
    parts = urlsplit(endpoint.url)
    if parts.scheme != "http" or parts.port is None:
        return "is not plain http://host:port"
    return None
