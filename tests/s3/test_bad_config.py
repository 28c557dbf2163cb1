"""Every configuration mistake is refused at construction, naming the option, with no request.

Each row starts from the working options of the default topology (so the endpoint is
reachable) and breaks one thing; the gateway's request log proves nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from remote_store_harness.net import HarnessCA

from remote_store import RetryPolicy
from remote_store.backends import S3Backend

from .conftest import backend_options

Options = dict[str, Any]


def _config(**values: Any) -> Callable[[Options, dict[str, str]], None]:
    def apply(options: Options, files: dict[str, str]) -> None:
        options["client_options"]["config_kwargs"].update(values)

    return apply


def _client(**values: Any) -> Callable[[Options, dict[str, str]], None]:
    def apply(options: Options, files: dict[str, str]) -> None:
        options["client_options"].update(values)

    return apply


def _client_kwargs(**values: Any) -> Callable[[Options, dict[str, str]], None]:
    def apply(options: Options, files: dict[str, str]) -> None:
        options["client_options"].setdefault("client_kwargs", {}).update(values)

    return apply


def _top(**values: Any) -> Callable[[Options, dict[str, str]], None]:
    def apply(options: Options, files: dict[str, str]) -> None:
        options.update(values)

    return apply


def _file(option: str, name: str, where: str = "top") -> Callable[[Options, dict[str, str]], None]:
    def apply(options: Options, files: dict[str, str]) -> None:
        if where == "top":
            options[option] = files[name]
        else:
            options["client_options"].setdefault("client_kwargs", {})[option] = files[name]

    return apply


# (id, how to break the options, regex the ValueError must match: the option's name and,
# where the set is small, the accepted values)
BAD_CONFIGS: list[tuple[str, Callable[[Options, dict[str, str]], None], str]] = [
    ("retries-mode", _config(retries={"mode": "bogus"}), r"mode.*legacy.*standard.*adaptive"),
    ("retries-max-attempts-str", _config(retries={"max_attempts": "3"}), r"'max_attempts'.*int"),
    ("retries-total-float", _config(retries={"total_max_attempts": 2.5}), "total_max_attempts"),
    ("retries-negative", _config(retries={"max_attempts": -1}), r"'max_attempts'.*>= 0"),
    ("retries-unknown-key", _config(retries={"tries": 3}), r"'retries'.*tries.*max_attempts"),
    ("retries-not-dict", _config(retries=3), r"'retries'.*dict"),
    ("addressing-style", _config(s3={"addressing_style": "sideways"}), r"addressing_style.*path"),
    ("s3-unknown-key", _config(s3={"adressing_style": "path"}), r"'s3'.*addressing_style"),
    ("proxies-str", _config(proxies="http://127.0.0.1:3128"), r"'proxies'.*dict"),
    ("proxies-scheme", _config(proxies={"https": "ftp://127.0.0.1:21"}), r"proxies.*http or https"),
    ("proxies-value-int", _config(proxies={"https": 3128}), r"proxies.*URL string"),
    ("proxies-no-host", _config(proxies={"https": "http://:3128"}), r"proxies.*no host"),
    ("proxies-bad-port", _config(proxies={"https": "http://h:port"}), r"proxies.*not a valid URL"),
    ("proxies-config-key", _config(proxies_config={"ca": "x"}), r"proxies_config.*proxy_ca_bundle"),
    ("connect-timeout-str", _config(connect_timeout="5"), r"connect_timeout.*number"),
    ("connect-timeout-negative", _config(connect_timeout=-1), r"connect_timeout.*>= 0"),
    ("read-timeout-bool", _config(read_timeout=True), r"read_timeout.*number"),
    ("read-timeout-negative", _config(read_timeout=-0.5), r"read_timeout.*>= 0"),
    ("max-pool-zero", _config(max_pool_connections=0), r"max_pool_connections.*>= 1"),
    ("connector-args", _config(connector_args={"bogus": 1}), r"config_kwargs.*connector_arg"),
    ("config-unknown-key", _config(retry={"max_attempts": 1}), r"config_kwargs.*'retry'.*retries"),
    ("config-not-dict", _client(config_kwargs=[1]), r"'config_kwargs'.*dict"),
    ("client-unknown-key", _client(endpoint="http://x"), r"'endpoint'.*endpoint_url"),
    ("client-use-ssl-str", _client(use_ssl="yes"), r"'use_ssl'.*bool"),
    ("client-requester-pays-int", _client(requester_pays=1), r"'requester_pays'.*bool"),
    ("client-max-concurrency", _client(max_concurrency=0), r"'max_concurrency'.*>= 1"),
    ("client-token-int", _client(token=123), r"'token'.*str or Secret"),
    ("client-endpoint-scheme", _client(endpoint_url="ftp://h:21"), r"endpoint_url.*http or https"),
    ("client-kwargs-unknown", _client_kwargs(timeout=5), r"'client_kwargs'.*'timeout'.*verify"),
    ("client-kwargs-verify-int", _client_kwargs(verify=3), r"'verify'.*bool or a CA bundle"),
    ("client-kwargs-verify-not-pem", _file("verify", "not_pem", "kwargs"), r"'verify'.*PEM"),
    ("client-kwargs-config", _client_kwargs(config=Config()), r"'config'.*config_kwargs"),
    ("endpoint-ftp", _top(endpoint_url="ftp://127.0.0.1:21"), r"endpoint_url.*http or https"),
    ("endpoint-no-host", _top(endpoint_url="http://"), r"endpoint_url.*no host"),
    ("endpoint-bad-port", _top(endpoint_url="http://127.0.0.1:x"), r"endpoint_url.*valid URL"),
    ("ca-not-pem", _file("tls_ca_bundle", "not_pem"), r"tls_ca_bundle.*PEM"),
    ("ca-key-only", _file("tls_ca_bundle", "key_only"), r"tls_ca_bundle.*certificate"),
    ("ca-empty-file", _file("tls_ca_bundle", "empty"), r"tls_ca_bundle.*certificate"),
    ("ca-missing", _top(tls_ca_bundle="/nonexistent/ca.pem"), r"tls_ca_bundle.*does not exist"),
    ("bucket-empty", _top(bucket=""), r"bucket"),
    ("bucket-slash", _top(bucket="a/b"), r"bucket.*'/'"),
    ("key-int", _top(key=123), r"key must be a str or Secret"),
    ("region-int", _top(region_name=5), r"region_name"),
    ("retry-not-policy", _top(retry=3), r"retry must be a RetryPolicy"),
    ("conditional-writes-str", _top(conditional_writes="yes"), r"conditional_writes.*bool"),
    ("client-options-list", _top(client_options=[("anon", True)]), r"client_options must be"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bad-ca")
    ca = HarnessCA.create()
    paths = {
        "not_pem": folder / "not-pem.pem",
        "key_only": folder / "key-only.pem",
        "empty": folder / "empty.pem",
    }
    paths["not_pem"].write_bytes(b"this is not a certificate\n")
    paths["key_only"].write_bytes(ca.issue_server_cert("localhost").private_key_pem)
    paths["empty"].write_bytes(b"")
    return {name: str(path) for name, path in paths.items()}


def test_the_table_has_at_least_thirty_rows() -> None:
    assert len(BAD_CONFIGS) >= 30


def test_the_unbroken_options_construct(topology: Any, s3_bucket: str) -> None:
    S3Backend(**backend_options(topology, s3_bucket)).close()


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [pytest.param(b, e, id=i) for i, b, e in BAD_CONFIGS],
)
def test_a_bad_configuration_is_refused_at_construction_without_a_request(
    topology: Any,
    request_log: Any,
    s3_bucket: str,
    files: dict[str, str],
    breaker: Callable[[Options, dict[str, str]], None],
    expected: str,
) -> None:
    options = backend_options(topology, s3_bucket, retry=RetryPolicy.disabled())
    if "tls_ca_bundle" in options and options["tls_ca_bundle"] is None:
        del options["tls_ca_bundle"]
    breaker(options, files)
    mark = request_log.mark()
    with pytest.raises(ValueError, match=expected):
        S3Backend(**options)
    assert request_log.since(mark) == []
