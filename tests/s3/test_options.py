"""Constructor validation and client_options routing (no server needed, no request made)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
import s3fs
from remote_store_harness.net import HarnessCA

from remote_store import Registry, RegistryConfig, RetryPolicy, Secret
from remote_store.backends import S3Backend
from remote_store.backends.s3._options import build_settings, normalise_endpoint, resolve_ca_bundle

DEAD = "http://127.0.0.1:9"  # discard port: nothing answers; construction must not notice


def settings(**kwargs: Any) -> Any:
    base: dict[str, Any] = {
        "bucket": "b",
        "endpoint_url": None,
        "key": None,
        "secret": None,
        "region_name": None,
        "tls_ca_bundle": None,
        "client_options": None,
        "retry": None,
        "environ": {},
    }
    base.update(kwargs)
    return build_settings(**base)


@pytest.fixture(scope="module")
def ca_pem() -> bytes:
    return HarnessCA.create().ca_pem


@pytest.fixture
def ca_file(tmp_path: Path, ca_pem: bytes) -> str:
    path = tmp_path / "ca.pem"
    path.write_bytes(ca_pem)
    return str(path)


# -- bucket and endpoint ------
@pytest.mark.parametrize("bucket", ["", "   "])
def test_an_empty_bucket_is_refused(bucket: str) -> None:
    with pytest.raises(ValueError, match="bucket must be a non-empty string"):
        S3Backend(bucket)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("  ", None),
        ("http://h:9000", "http://h:9000"),
        ("HTTPS://h", "HTTPS://h"),
        ("minio:9000", "https://minio:9000"),
    ],
)
def test_endpoint_urls_are_normalised(given: str | None, expected: str | None) -> None:
    assert normalise_endpoint(given) == expected


def test_construction_does_no_network_io() -> None:
    backend = S3Backend("b", endpoint_url=DEAD, key="k", secret="s")
    assert backend.native_path("x") == "b/x"
    backend.close()


def test_repr_masks_credentials() -> None:
    backend = S3Backend("b", key="AKIAEXAMPLE", secret=Secret("very-secret"), region_name="r")
    text = repr(backend)
    assert "AKIAEXAMPLE" not in text and "very-secret" not in text
    assert "key='***'" in text and "secret='***'" in text
    assert "key=None" in repr(S3Backend("b"))


def test_credentials_are_held_as_secrets_until_the_client_is_built() -> None:
    result = settings(key="id", secret=Secret("pw"))
    assert (result.fs_kwargs["key"], result.fs_kwargs["secret"]) == (Secret("id"), Secret("pw"))


def test_secret_credentials_are_revealed_only_to_the_client() -> None:
    backend = S3Backend("b", endpoint_url=DEAD, key=Secret("id"), secret=Secret("pw"))
    fs = backend._transport.fs  # building the client does no I/O
    assert (fs.key, fs.secret) == ("id", "pw")
    backend.close()


# -- CA bundle resolution ------------------------------------------------------------------------
def test_explicit_ca_bundle_wins_over_env(ca_file: str, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    other.write_text("x")  # never read: the explicit option wins
    ca = resolve_ca_bundle(ca_file, {"AWS_CA_BUNDLE": str(other)})
    assert (ca.path, ca.source) == (ca_file, "the tls_ca_bundle option")


def test_explicit_empty_ca_bundle_fails_instead_of_falling_back(ca_file: str) -> None:
    with pytest.raises(ValueError, match="tls_ca_bundle"):
        resolve_ca_bundle("", {"AWS_CA_BUNDLE": ca_file})


@pytest.mark.parametrize(
    ("environ", "winner"),
    [
        ({"AWS_CA_BUNDLE": "A", "REQUESTS_CA_BUNDLE": "R", "SSL_CERT_FILE": "S"}, "AWS_CA_BUNDLE"),
        (
            {"AWS_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "R", "SSL_CERT_FILE": "S"},
            "REQUESTS_CA_BUNDLE",
        ),
        ({"SSL_CERT_FILE": "S", "CURL_CA_BUNDLE": "C"}, "SSL_CERT_FILE"),
    ],
)
def test_env_ca_bundles_first_non_empty_wins(
    tmp_path: Path, ca_pem: bytes, environ: dict[str, str], winner: str
) -> None:
    for name in list(environ):
        if environ[name]:
            path = tmp_path / f"{name}.pem"
            path.write_bytes(ca_pem)
            environ[name] = str(path)
    ca = resolve_ca_bundle(None, environ)
    assert ca.path == environ[winner]
    assert winner in ca.source


def test_no_ca_anywhere_means_the_client_default() -> None:
    ca = resolve_ca_bundle(None, {"SSL_CERT_DIR": "/etc/ssl/certs", "CURL_CA_BUNDLE": "/x"})
    assert ca.path is None


@pytest.mark.parametrize(
    "source", ["explicit", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
)
def test_a_missing_ca_file_fails_at_construction_naming_its_source(
    tmp_path: Path, source: str
) -> None:
    missing = str(tmp_path / "missing.pem")
    explicit = missing if source == "explicit" else None
    environ = {} if source == "explicit" else {source: missing}
    with pytest.raises(ValueError, match="does not exist or is not a file") as caught:
        resolve_ca_bundle(explicit, environ)
    assert (source if source != "explicit" else "tls_ca_bundle") in str(caught.value)


def test_a_directory_is_not_a_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a file"):
        resolve_ca_bundle(str(tmp_path), {})


def test_the_process_environment_is_consulted_at_construction(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nope.pem"))
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        S3Backend("b")


def test_resolved_ca_is_passed_as_verify(ca_file: str) -> None:
    result = settings(tls_ca_bundle=ca_file)
    assert result.fs_kwargs["client_kwargs"]["verify"] == ca_file


def test_an_explicit_verify_is_never_overridden(ca_file: str) -> None:
    result = settings(tls_ca_bundle=ca_file, client_options={"client_kwargs": {"verify": False}})
    assert result.fs_kwargs["client_kwargs"]["verify"] is False


# -- client_options routing ----------------------------------------------------------------------
def test_client_options_are_deep_copied_and_never_mutated() -> None:
    caller = {"config_kwargs": {"retries": {"max_attempts": 2}, "s3": {"addressing_style": "path"}}}
    snapshot = copy.deepcopy(caller)
    result = settings(client_options=caller, retry=RetryPolicy(max_attempts=4))
    assert caller == snapshot
    assert result.fs_kwargs["config_kwargs"]["s3"] is not caller["config_kwargs"]["s3"]


def test_a_prebuilt_config_in_client_kwargs_is_refused() -> None:
    from botocore.config import Config

    with pytest.raises(ValueError, match="config_kwargs"):
        S3Backend("b", client_options={"client_kwargs": {"config": Config()}})


@pytest.mark.parametrize("option", ["config_kwargs", "client_kwargs"])
def test_non_dict_kwargs_are_refused_naming_the_option(option: str) -> None:
    with pytest.raises(ValueError, match=option):
        S3Backend("b", client_options={option: [("a", 1)]})


def test_retry_policy_means_total_attempts() -> None:
    result = settings(retry=RetryPolicy(max_attempts=7))
    assert result.fs_kwargs["config_kwargs"]["retries"] == {
        "total_max_attempts": 7,
        "mode": "standard",
    }


def test_retry_policy_replaces_retries_and_warns_naming_dropped_keys(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caller = {
        "config_kwargs": {"retries": {"max_attempts": 2, "mode": "adaptive"}, "connect_timeout": 3}
    }
    with caplog.at_level(logging.WARNING, logger="remote_store"):
        result = settings(client_options=caller, retry=RetryPolicy(max_attempts=7))
    assert result.fs_kwargs["config_kwargs"] == {
        "retries": {"total_max_attempts": 7, "mode": "standard"},
        "connect_timeout": 3,
    }
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "mode" in warnings[0].getMessage()


def test_no_warning_when_only_attempt_counts_are_replaced(caplog: pytest.LogCaptureFixture) -> None:
    caller = {"config_kwargs": {"retries": {"max_attempts": 2}}}
    with caplog.at_level(logging.WARNING, logger="remote_store"):
        settings(client_options=caller, retry=RetryPolicy(max_attempts=3))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_without_retry_the_callers_retries_are_kept() -> None:
    caller = {"config_kwargs": {"retries": {"max_attempts": 5, "mode": "adaptive"}}}
    result = settings(client_options=caller)
    assert result.fs_kwargs["config_kwargs"]["retries"] == {"max_attempts": 5, "mode": "adaptive"}


def test_defaults_favour_fresh_listings_and_private_clients() -> None:
    kwargs = settings().fs_kwargs
    assert (kwargs["anon"], kwargs["use_listings_cache"], kwargs["skip_instance_cache"]) == (
        False,
        False,
        True,
    )
    assert "config_kwargs" not in kwargs


def test_caller_values_win_over_defaults() -> None:
    kwargs = settings(client_options={"use_listings_cache": True}).fs_kwargs
    assert kwargs["use_listings_cache"] is True


def test_explicit_parameters_override_client_options() -> None:
    kwargs = settings(
        endpoint_url="minio:9000",
        key="k2",
        region_name="eu-west-1",
        client_options={
            "endpoint_url": "http://old",
            "key": "k1",
            "client_kwargs": {"region_name": "x"},
        },
    ).fs_kwargs
    assert kwargs["endpoint_url"] == "https://minio:9000"
    assert kwargs["key"] == Secret("k2")
    assert kwargs["client_kwargs"]["region_name"] == "eu-west-1"


@pytest.mark.parametrize("flag", ["conditional_writes", "reject_write_under_file_ancestor"])
def test_boolean_flags_must_be_bools(flag: str) -> None:
    with pytest.raises(ValueError, match=flag):
        S3Backend("b", **{flag: "yes"})


def test_each_backend_gets_its_own_s3fs_instance() -> None:
    one = S3Backend("b", endpoint_url=DEAD, key="k", secret="s")
    two = S3Backend("b", endpoint_url=DEAD, key="k", secret="s")
    assert one.unwrap(s3fs.S3FileSystem) is not two.unwrap(s3fs.S3FileSystem)


# -- configuration files and the registry ------
def test_registry_builds_an_s3_backend_from_a_dict_with_env_references(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_S3_KEY", "AKIAFROMENV")
    monkeypatch.setenv("TEST_S3_SECRET", "secret-from-env")
    from remote_store import resolve_env

    raw = {
        "backends": {
            "lake": {
                "type": "s3",
                "options": {
                    "bucket": "lake",
                    "endpoint_url": DEAD,
                    "key": "${TEST_S3_KEY}",
                    "secret": "${TEST_S3_SECRET}",
                    "conditional_writes": False,
                    "client_options": {"config_kwargs": {"connect_timeout": 1}},
                },
                "retry": {"max_attempts": 2},
            }
        },
        "stores": {"data": {"backend": "lake", "root_path": "data"}},
    }
    config = RegistryConfig.from_dict(resolve_env(raw))
    with Registry(config) as registry:
        store = registry.get_store("data")
        backend = store._backend
        assert isinstance(backend, S3Backend)
        assert backend.conditional_writes is False
        fs = backend.unwrap(s3fs.S3FileSystem)
        assert (fs.key, fs.secret) == ("AKIAFROMENV", "secret-from-env")
        assert fs.config_kwargs["retries"] == {"total_max_attempts": 2, "mode": "standard"}
        assert "AKIAFROMENV" not in repr(backend)


def test_registry_loads_s3_options_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "stores.toml"
    path.write_text(
        """
[backends.lake]
type = "s3"
options = { bucket = "lake", endpoint_url = "http://127.0.0.1:9", key = "k", secret = "s" }
[stores.data]
backend = "lake"
"""
    )
    with Registry(RegistryConfig.from_toml(path)) as registry:
        assert registry.get_store("data").native_path("x") == "lake/x"


def test_registry_reports_a_bad_option_as_value_error() -> None:
    config = RegistryConfig.from_dict(
        {
            "backends": {"s": {"type": "s3", "options": {"bucket": ""}}},
            "stores": {"d": {"backend": "s"}},
        }
    )
    with Registry(config) as registry, pytest.raises(ValueError, match="bucket"):
        registry.get_store("d")


@pytest.mark.parametrize("value", [0, 65, 2.0, True, "4"])
def test_upload_concurrency_out_of_range_is_refused_naming_the_option(value: object) -> None:
    with pytest.raises(ValueError, match="upload_concurrency"):
        S3Backend("bucket", upload_concurrency=value)  # type: ignore[arg-type]
