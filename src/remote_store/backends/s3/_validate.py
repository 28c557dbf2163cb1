"""Construction-time checks of ``client_options`` against what s3fs and botocore accept.

The accepted names are read from the installed libraries, not kept in a list
here that would drift with their releases:

* ``client_options``: the parameters of ``s3fs.S3FileSystem.__init__``, of the
  fsspec bases it forwards ``**kwargs`` to (``AsyncFileSystem``, ``DirCache``),
  and ``skip_instance_cache`` (consumed by fsspec's instance-cache metaclass);
* ``client_kwargs``: the parameters of ``botocore.session.Session.create_client``;
* ``config_kwargs``: ``botocore.config.Config.OPTION_DEFAULTS`` plus the
  parameters aiobotocore's ``AioConfig`` adds;
* ``config_kwargs['s3']``: botocore's ``DEFAULT_S3_CONFIG_VARS``.

A parameter whose default is a ``bool`` / ``int`` / ``float`` must get a value of
that type. Values botocore validates itself (retry modes, retry keys,
``addressing_style``, ``connector_args``) are checked by building an
``AioConfig`` from the options, which does no I/O; what botocore leaves to the
first request (``max_attempts`` types, timeouts, proxy URLs) is checked here.
Every failure is a ``ValueError`` naming the option path and the accepted values.

s3fs and botocore are imported only when ``client_options`` is given, so a
backend built from the named parameters alone stays cheap to construct.
"""

from __future__ import annotations

import functools
import inspect
import ssl
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..._redact import redact_text
from ..._secret import Secret, reveal

__all__ = ["check_ca_file", "check_endpoint", "fs_parameters", "validate_client_options"]

_HTTP_SCHEMES = ("http", "https")
_ADDRESSING_STYLES = ("auto", "path", "virtual")  # botocore's S3 client honours these three
_RETRY_KEYS = ("max_attempts", "total_max_attempts", "mode")
_PROXIES_CONFIG_KEYS = ("proxy_ca_bundle", "proxy_client_cert", "proxy_use_forwarding_for_https")
_CREDENTIAL_OPTIONS = ("key", "secret", "token", "username", "password")


def _refuse(option: str, problem: str) -> ValueError:
    return ValueError(redact_text(f"client_options{option} {problem}"))


def _parameters(*functions: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    found: dict[str, inspect.Parameter] = {}
    for function in functions:
        for name, parameter in inspect.signature(function).parameters.items():
            if name == "self" or parameter.kind in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                continue
            found.setdefault(name, parameter)
    return found


@functools.cache
def fs_parameters() -> dict[str, inspect.Parameter]:
    """Every keyword ``s3fs.S3FileSystem(...)`` accepts, with its default."""
    import fsspec.asyn
    import fsspec.dircache
    import s3fs

    params = _parameters(
        s3fs.S3FileSystem.__init__,
        fsspec.asyn.AsyncFileSystem.__init__,
        fsspec.dircache.DirCache.__init__,
    )
    params["skip_instance_cache"] = inspect.Parameter(
        "skip_instance_cache", inspect.Parameter.KEYWORD_ONLY, default=False
    )
    return params


@functools.cache
def _client_parameters() -> dict[str, inspect.Parameter]:
    import botocore.session

    params = _parameters(botocore.session.Session.create_client)
    params.pop("service_name", None)
    return params


@functools.cache
def _config_names() -> tuple[frozenset[str], frozenset[str]]:
    """(``config_kwargs`` names, ``config_kwargs['s3']`` names)."""
    import aiobotocore.config
    import botocore.config
    import botocore.configprovider

    extra = _parameters(aiobotocore.config.AioConfig.__init__)
    names = frozenset(botocore.config.Config.OPTION_DEFAULTS) | frozenset(extra)
    return names, frozenset(botocore.configprovider.DEFAULT_S3_CONFIG_VARS)


def _accepted(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def _check_names(where: str, given: Mapping[str, Any], accepted: frozenset[str]) -> None:
    unknown = sorted(str(k) for k in given if k not in accepted)
    if unknown:
        raise _refuse(
            where,
            f"has unknown option(s) {unknown}; accepted: {_accepted(accepted)}",
        )


def _check_default_type(where: str, value: Any, parameter: inspect.Parameter | None) -> None:
    """A value must have the type of the parameter's default when that is bool/int/float."""
    if parameter is None or value is None:
        return
    default = parameter.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise _refuse(where, f"must be a bool (True/False), got {type(value).__name__}")
    elif isinstance(default, int | float) and default is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(where, f"must be a number, got {type(value).__name__}")
        if isinstance(default, int) and not isinstance(value, int):
            raise _refuse(where, f"must be an int, got {type(value).__name__}")


def _require_mapping(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _refuse(where, f"must be a dict, got {type(value).__name__}")
    return value


def _check_number(where: str, value: Any, *, integer: bool = False, minimum: float = 0) -> None:
    kind = "an int" if integer else "a number"
    valid_type = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, valid_type):
        raise _refuse(where, f"must be {kind} >= {minimum:g}, got {type(value).__name__}")
    if value < minimum:
        raise _refuse(where, f"must be {kind} >= {minimum:g}, got {value!r}")


def check_endpoint(option: str, url: str) -> None:
    """An endpoint or proxy URL: http/https scheme and a host (``ValueError`` otherwise)."""
    text = redact_text(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise ValueError(f"{option} is not a valid URL: {text!r} ({exc})") from None
    if parts.scheme.lower() not in _HTTP_SCHEMES:
        raise ValueError(
            f"{option} must use the http or https scheme, got {parts.scheme or 'none'!r} "
            f"in {text!r}"
        )
    if not parts.hostname:
        raise ValueError(f"{option} has no host: {text!r}")


def check_ca_file(option: str, path: str) -> None:
    """The file must hold at least one PEM certificate that OpenSSL can load.

    Parsed once per file version (path, size, mtime): a system bundle takes tens of
    milliseconds to load, and many backends share one.
    """
    import os

    try:
        status = os.stat(path)
    except OSError as exc:
        raise ValueError(f"{option} {path!r} cannot be read ({exc.strerror})") from None
    problem = _ca_file_problem(path, status.st_size, status.st_mtime_ns)
    if problem is not None:
        raise ValueError(f"{option} {path!r} {problem}")


@functools.lru_cache(maxsize=64)
def _ca_file_problem(path: str, size: int, mtime_ns: int) -> str | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        return f"is not a PEM CA bundle with at least one certificate ({exc})"
    if context.cert_store_stats().get("x509", 0) == 0:
        return "holds no certificate"
    return None


def _check_proxies(where: str, proxies: Any) -> None:
    for scheme, url in _require_mapping(where, proxies).items():
        if not isinstance(scheme, str) or not scheme:
            raise _refuse(where, f"keys must be 'http', 'https' or 'scheme://host', got {scheme!r}")
        plain = reveal(url) if isinstance(url, Secret) else url
        if plain is None:
            continue  # None: no proxy for this scheme
        if not isinstance(plain, str):
            raise _refuse(f"{where}[{scheme!r}]", f"must be a URL string, got {type(url).__name__}")
        check_endpoint(f"client_options{where}[{scheme!r}]", plain)


def _check_config_kwargs(config_kwargs: Mapping[str, Any]) -> None:
    where = "['config_kwargs']"
    names, s3_names = _config_names()
    _check_names(where, config_kwargs, names)
    for name in ("connect_timeout", "read_timeout"):
        if config_kwargs.get(name) is not None:
            _check_number(f"{where}[{name!r}]", config_kwargs[name])
    if config_kwargs.get("max_pool_connections") is not None:
        _check_number(
            f"{where}['max_pool_connections']",
            config_kwargs["max_pool_connections"],
            integer=True,
            minimum=1,
        )
    retries = config_kwargs.get("retries")
    if retries is not None:
        retries = _require_mapping(f"{where}['retries']", retries)
        _check_names(f"{where}['retries']", retries, frozenset(_RETRY_KEYS))
        for name in ("max_attempts", "total_max_attempts"):
            if name in retries:
                _check_number(f"{where}['retries'][{name!r}]", retries[name], integer=True)
        if "mode" in retries and not isinstance(retries["mode"], str):
            raise _refuse(f"{where}['retries']['mode']", "must be a str")
    s3 = config_kwargs.get("s3")
    if s3 is not None:
        _check_names(f"{where}['s3']", _require_mapping(f"{where}['s3']", s3), s3_names)
        style = s3.get("addressing_style")
        if style is not None and style not in _ADDRESSING_STYLES:
            raise _refuse(
                f"{where}['s3']['addressing_style']",
                f"must be one of {', '.join(_ADDRESSING_STYLES)}, got {style!r}",
            )
    if config_kwargs.get("proxies") is not None:
        _check_proxies(f"{where}['proxies']", config_kwargs["proxies"])
    proxies_config = config_kwargs.get("proxies_config")
    if proxies_config is not None:
        mapping = _require_mapping(f"{where}['proxies_config']", proxies_config)
        _check_names(f"{where}['proxies_config']", mapping, frozenset(_PROXIES_CONFIG_KEYS))
    _botocore_verdict(config_kwargs)


def _botocore_verdict(config_kwargs: Mapping[str, Any]) -> None:
    """Let botocore validate what it validates (retry mode, addressing style ...), offline."""
    from aiobotocore.config import AioConfig
    from botocore.exceptions import BotoCoreError

    from ..._redact import reveal_all

    try:
        AioConfig(**reveal_all(dict(config_kwargs)))
    except (BotoCoreError, TypeError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise _refuse("['config_kwargs']", f"rejected by botocore: {message}") from None


def _check_client_kwargs(client_kwargs: Mapping[str, Any]) -> None:
    where = "['client_kwargs']"
    params = _client_parameters()
    _check_names(where, client_kwargs, frozenset(params))
    for name, value in client_kwargs.items():
        if name == "verify":
            if not isinstance(value, bool | str):
                raise _refuse(f"{where}['verify']", "must be a bool or a CA bundle path")
            if isinstance(value, str):
                check_ca_file(f"client_options{where}['verify']", value)
        elif name == "endpoint_url" and value is not None:
            if not isinstance(value, str):
                raise _refuse(f"{where}['endpoint_url']", "must be a URL string")
            check_endpoint(f"client_options{where}['endpoint_url']", value)
        elif name != "config":
            _check_default_type(f"{where}[{name!r}]", value, params.get(name))


def validate_client_options(options: Mapping[str, Any]) -> None:
    """Refuse any ``client_options`` entry s3fs or botocore would reject or misread."""
    if not options:
        return
    params = fs_parameters()
    _check_names("", options, frozenset(params))
    for name, value in options.items():
        where = f"[{name!r}]"
        if name in _CREDENTIAL_OPTIONS:
            if value is not None and not isinstance(value, str | Secret):
                raise _refuse(where, f"must be a str or Secret, got {type(value).__name__}")
        elif name in ("client_kwargs", "config_kwargs", "s3_additional_kwargs"):
            _require_mapping(where, value)
        elif name == "endpoint_url" and value is not None:
            if not isinstance(value, str):
                raise _refuse(where, f"must be a URL string, got {type(value).__name__}")
            if value.strip():
                text = value.strip()
                check_endpoint(
                    f"client_options{where}", text if "://" in text else f"https://{text}"
                )
        elif name == "max_concurrency":
            _check_number(where, value, integer=True, minimum=1)
        else:
            _check_default_type(where, value, params.get(name))
    if "config_kwargs" in options:
        _check_config_kwargs(options["config_kwargs"])
    if "client_kwargs" in options:
        _check_client_kwargs(options["client_kwargs"])
