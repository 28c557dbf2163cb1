"""Constructor validation and ``client_options`` routing for the S3 backend.

Everything here runs in ``S3Backend.__init__`` and does no network I/O, so a
misconfiguration fails at construction with a ``ValueError`` naming the
option, instead of surfacing later as a transport error deep inside a request.

The routing rules (contract section 9.4 as amended by the Decisions table):

* ``client_options`` is deep-copied; the caller's dict (and botocore, which
  mutates nested ``retries`` dicts) never touch each other.
* ``config_kwargs`` is the only channel for botocore ``Config`` options; a
  pre-built ``Config`` in ``client_kwargs`` is rejected, because s3fs always
  passes its own ``config=`` and the duplicate keyword would fail at the first
  request.
* ``retry=RetryPolicy(max_attempts=N)`` replaces the whole ``retries`` dict
  with ``{"total_max_attempts": N, "mode": "standard"}`` (N attempts in total),
  logging a WARNING that names any caller keys it dropped.
* Defaults that callers may override: ``anon=False``,
  ``use_listings_cache=False`` (s3fs listings never expire), and
  ``skip_instance_cache=True`` (two backends never share one client).
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._retry import RetryPolicy
from ..._secret import Secret
from ._validate import check_ca_file, check_endpoint, validate_client_options

__all__ = [
    "CA_ENV_VARS",
    "CaBundle",
    "S3Settings",
    "as_secret",
    "build_settings",
    "normalise_endpoint",
    "resolve_ca_bundle",
]

_log = logging.getLogger("remote_store.backends.s3")

CA_ENV_VARS: tuple[str, ...] = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
"""Environment variables consulted for a CA bundle, in priority order (first non-empty wins)."""

_RETRY_KEYS_SUPERSEDED = frozenset({"max_attempts", "total_max_attempts"})


@dataclass(frozen=True)
class CaBundle:
    """The CA bundle a client verifies TLS with, and where that choice came from.

    ``source`` is reported in TLS failures so a user can tell *which* setting
    decided trust (an explicit option, or one of the pre-set env variables).
    """

    path: str | None
    source: str

    def describe(self) -> str:
        if self.path is None:
            return f"no custom CA bundle ({self.source})"
        return f"CA bundle {self.path!r} from {self.source}"


@dataclass(frozen=True)
class S3Settings:
    """The validated result of the constructor options.

    Credentials in ``fs_kwargs`` (key, secret, token, proxy URLs with userinfo)
    are ``Secret`` objects; ``reveal_all`` turns them into text for s3fs.
    """

    bucket: str
    endpoint_url: str | None
    region_name: str | None
    ca: CaBundle
    fs_kwargs: dict[str, Any]
    """Keyword arguments for ``s3fs.S3FileSystem``, credentials held as ``Secret``."""


def normalise_endpoint(endpoint_url: str | None) -> str | None:
    """``None``/blank -> ``None``; an http(s) URL unchanged; a bare host gets ``https://``.

    Any other scheme (``ftp://h:21``) or a URL without a host is a ``ValueError``.
    """
    if endpoint_url is None:
        return None
    if not isinstance(endpoint_url, str):
        raise ValueError(f"endpoint_url must be a string, got {type(endpoint_url).__name__}")
    text = endpoint_url.strip()
    if not text:
        return None
    if "://" not in text:
        text = f"https://{text}"
    check_endpoint("endpoint_url", text)
    return text


def resolve_ca_bundle(explicit: str | None, environ: Mapping[str, str] | None = None) -> CaBundle:
    """Pick the CA bundle: explicit option, else the first non-empty env var, else none.

    An explicit value wins even when empty (and then fails validation): a user
    who wrote ``tls_ca_bundle=""`` made a mistake we should not paper over with
    an environment variable. The chosen path must be an existing regular file.
    """
    env = os.environ if environ is None else environ
    if explicit is not None:
        if not isinstance(explicit, str | os.PathLike):
            raise ValueError(f"tls_ca_bundle must be a path string, got {type(explicit).__name__}")
        path, source = os.fspath(explicit), "the tls_ca_bundle option"
    else:
        for name in CA_ENV_VARS:
            value = env.get(name, "")
            if value:
                path, source = value, f"the {name} environment variable"
                break
        else:
            return CaBundle(None, "client default trust store")
    if not path or not Path(path).is_file():
        raise ValueError(
            f"tls_ca_bundle path does not exist or is not a file: {path!r} (from {source})"
        )
    check_ca_file(f"tls_ca_bundle (from {source})", path)
    return CaBundle(path, source)


def as_secret(value: object, option: str) -> Secret | None:
    """``value`` as a ``Secret`` (``None`` stays ``None``); other types are a ``ValueError``."""
    if value is None or isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{option} must be a str or Secret, got {type(value).__name__}")
    return Secret(value)


def _require_dict(value: object, option: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"client_options[{option!r}] must be a dict, got {type(value).__name__}")
    return value


def _merge_retry(config_kwargs: dict[str, Any], retry: RetryPolicy) -> None:
    previous = config_kwargs.get("retries")
    if previous is not None and not isinstance(previous, dict):
        raise ValueError(
            "client_options['config_kwargs']['retries'] must be a dict, "
            f"got {type(previous).__name__}"
        )
    dropped = sorted(set(previous or {}) - _RETRY_KEYS_SUPERSEDED)
    if dropped:
        _log.warning(
            "retry=RetryPolicy(...) replaces client_options['config_kwargs']['retries'] "
            "entirely; dropped keys: %s. Use only config_kwargs['retries'] to keep them.",
            ", ".join(dropped),
        )
    config_kwargs["retries"] = {"total_max_attempts": retry.max_attempts, "mode": "standard"}
    defaults = RetryPolicy()
    ignored = [
        name
        for name in ("backoff_base", "backoff_max", "jitter", "timeout")
        if getattr(retry, name) != getattr(defaults, name)
    ]
    if ignored:
        _log.debug(
            "RetryPolicy fields not supported by botocore's retry modes are ignored: %s",
            ", ".join(ignored),
        )


def build_settings(
    *,
    bucket: object,
    endpoint_url: str | None,
    key: str | Secret | None,
    secret: str | Secret | None,
    region_name: str | None,
    tls_ca_bundle: str | None,
    client_options: Mapping[str, Any] | None,
    retry: RetryPolicy | None,
    environ: Mapping[str, str] | None = None,
) -> S3Settings:
    """Validate every constructor option and build the s3fs keyword arguments."""
    if not isinstance(bucket, str) or not bucket.strip():
        raise ValueError("bucket must be a non-empty string")
    if "/" in bucket:
        raise ValueError(f"bucket must be a bare bucket name without '/', got {bucket!r}")
    key = as_secret(key, "key")
    secret = as_secret(secret, "secret")
    if region_name is not None and not isinstance(region_name, str):
        raise ValueError(f"region_name must be a string, got {type(region_name).__name__}")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise ValueError(f"retry must be a RetryPolicy, got {type(retry).__name__}")
    if client_options is None:
        options: dict[str, Any] = {}
    elif isinstance(client_options, Mapping):
        options = copy.deepcopy(dict(client_options))
    else:
        raise ValueError(f"client_options must be a dict, got {type(client_options).__name__}")
    validate_client_options(options)

    endpoint = normalise_endpoint(endpoint_url)
    if endpoint is not None:
        options["endpoint_url"] = endpoint
    elif "endpoint_url" in options:
        options["endpoint_url"] = normalise_endpoint(options["endpoint_url"])
        if options["endpoint_url"] is None:
            del options["endpoint_url"]
    # Credentials stay Secrets in fs_kwargs; the backend reveals them when it builds s3fs.
    if key is not None:
        options["key"] = key
    if secret is not None:
        options["secret"] = secret

    client_kwargs = _require_dict(options.get("client_kwargs", {}), "client_kwargs")
    if "config" in client_kwargs:
        raise ValueError(
            "client_options['client_kwargs']['config'] is not supported: s3fs builds its own "
            "botocore Config, so pass Config options as a dict in "
            "client_options['config_kwargs'] instead"
        )
    if region_name is not None:
        client_kwargs["region_name"] = region_name

    config_kwargs = _require_dict(options.get("config_kwargs", {}), "config_kwargs")
    if retry is not None:
        _merge_retry(config_kwargs, retry)
    if config_kwargs:
        options["config_kwargs"] = config_kwargs
    else:
        options.pop("config_kwargs", None)

    ca = resolve_ca_bundle(tls_ca_bundle, environ)
    if "verify" in client_kwargs:
        ca = CaBundle(
            None if isinstance(client_kwargs["verify"], bool) else str(client_kwargs["verify"]),
            "client_options['client_kwargs']['verify']",
        )
    else:
        # Our resolution is the only decision: without a path, botocore must not go back to
        # the environment itself (it would choke on an empty AWS_CA_BUNDLE, for one).
        client_kwargs["verify"] = ca.path if ca.path is not None else True
    if client_kwargs:
        options["client_kwargs"] = client_kwargs
    else:
        options.pop("client_kwargs", None)

    options.setdefault("anon", False)
    options.setdefault("use_listings_cache", False)
    options.setdefault("skip_instance_cache", True)
    return S3Settings(
        bucket=bucket,
        endpoint_url=options.get("endpoint_url"),
        region_name=client_kwargs.get("region_name"),
        ca=ca,
        fs_kwargs=options,
    )
