"""One S3 endpoint as a value, and the one way the harness builds a boto3 client for it.

An endpoint is what a client needs to reach a service: URL, credentials (with region), the CA
that signs its chain, the forward proxy in front of it and the bucket addressing it wants. The
probe (``ProbeTarget``), an :class:`~remote_store_harness.targets.ExternalTarget`, a topology's
client settings and the plugin's ``--s3-*`` options all carry this one value, so they cannot
disagree on a field: :meth:`Endpoint.pytest_args` and :meth:`Endpoint.from_pytest_options` are
the only places that spell those options.

:func:`boto3_client` is the only boto3 client factory of the harness. Its clients come from a
botocore session of their own that reads no profile (``AWS_PROFILE`` names one the harness never
asked for and, when unknown, breaks client creation) and they always get explicit credentials and
region; whether CA and proxy environment variables count is the caller's explicit choice.

Secrets never show: :class:`Credentials` keeps the secret key and session token out of its repr,
and :class:`Endpoint` masks a proxy password in its repr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = [
    "ADDRESSING_STYLES",
    "Addressing",
    "Credentials",
    "Endpoint",
    "boto3_client",
    "redact_url",
]

Addressing = Literal["path", "virtual"]
ADDRESSING_STYLES: tuple[Addressing, ...] = ("path", "virtual")


@dataclass(frozen=True)
class Credentials:
    """Access key, secret and region a client must use (secret and token stay out of the repr)."""

    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"
    session_token: str | None = field(default=None, repr=False)


def redact_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``: safe for logs and reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


@dataclass(frozen=True, repr=False)
class Endpoint:
    """How to reach one S3 service. ``proxy_url`` None means no proxy (unless a caller of
    :func:`boto3_client` explicitly lets the environment choose one)."""

    url: str
    credentials: Credentials
    ca_path: str | None = None
    proxy_url: str | None = None
    addressing: Addressing = "path"

    @property
    def region(self) -> str:
        return self.credentials.region

    @property
    def is_tls(self) -> bool:
        return urlsplit(self.url).scheme == "https"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    def with_addressing(self, addressing: Addressing) -> Endpoint:
        return replace(self, addressing=addressing)

    def __repr__(self) -> str:
        proxy = redact_url(self.proxy_url) if self.proxy_url else None
        return (
            f"Endpoint(url={self.url!r}, credentials={self.credentials!r}, "
            f"ca_path={self.ca_path!r}, proxy_url={proxy!r}, addressing={self.addressing!r})"
        )

    # -- the pytest plugin's --s3-* options ------------------------------------------------------
    def pytest_args(self, bucket: str | None = None) -> list[str]:
        """The ``--s3-*`` arguments that make the pytest plugin's external target this endpoint
        (``bucket``: the existing bucket the suites must use instead of creating their own)."""
        creds = self.credentials
        args = ["--s3-target", "external", "--s3-endpoint", self.url]
        if bucket is not None:
            args += ["--s3-bucket", bucket]
        args += ["--s3-region", creds.region, "--s3-key", creds.access_key]
        args += ["--s3-secret", creds.secret_key]
        if self.ca_path:
            args += ["--s3-ca", self.ca_path]
        if self.proxy_url:
            args += ["--s3-proxy", self.proxy_url]
        return [*args, "--s3-addressing", self.addressing]

    def secret_values(self) -> list[str]:
        """Argument values of :meth:`pytest_args` that must be masked wherever they are shown."""
        secrets = [self.credentials.secret_key]
        if self.proxy_url and urlsplit(self.proxy_url).password:
            secrets.append(self.proxy_url)
        return secrets

    @classmethod
    def from_pytest_options(
        cls, getoption: Callable[[str], Any], *, key: str | None, secret: str | None
    ) -> Endpoint:
        """The endpoint the ``--s3-*`` options describe (``getoption`` is ``config.getoption``).

        ``key``/``secret``: the credentials to use (the options' or the environment's; the
        plugin decides the precedence).
        """
        return cls(
            url=str(getoption("--s3-endpoint")).rstrip("/"),
            credentials=Credentials(key or "", secret or "", getoption("--s3-region")),
            ca_path=getoption("--s3-ca") or None,
            proxy_url=getoption("--s3-proxy") or None,
            addressing=getoption("--s3-addressing"),
        )


def _isolated_session() -> Any:
    """A boto3 session on a botocore session that reads no profile from the environment."""
    import boto3
    import botocore.session

    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return boto3.session.Session(botocore_session=core)


def boto3_client(
    endpoint: Endpoint,
    *,
    env_proxy: bool = False,
    env_ca: bool = False,
    verify: str | bool | None = None,
    **config: Any,
) -> Any:
    """A boto3 S3 client for ``endpoint``; ``config`` adds or overrides botocore ``Config`` fields.

    Credentials and region are always the endpoint's (never a profile's or the environment's).
    Proxy: ``endpoint.proxy_url`` when set; otherwise none, unless ``env_proxy`` lets
    ``HTTP(S)_PROXY`` decide (what a stock boto3 client does). CA: ``verify`` when given, else
    ``endpoint.ca_path``, else botocore's bundle, or with ``env_ca`` the environment's
    ``AWS_CA_BUNDLE``/``REQUESTS_CA_BUNDLE`` first (again what a stock client does).
    """
    from botocore.config import Config

    options: dict[str, Any] = {"s3": {"addressing_style": endpoint.addressing}}
    if endpoint.proxy_url is not None:
        options["proxies"] = {"http": endpoint.proxy_url, "https": endpoint.proxy_url}
    elif not env_proxy:
        options["proxies"] = {}  # any non-None value makes botocore skip the environment
    options.update(config)
    if verify is None:
        verify = endpoint.ca_path if endpoint.ca_path is not None else (None if env_ca else True)
    creds = endpoint.credentials
    return _isolated_session().client(
        "s3",
        endpoint_url=endpoint.url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.session_token,
        region_name=creds.region,
        verify=verify,
        config=Config(**options),
    )
