"""One endpoint value: what it shows, how it becomes --s3-* options, and its isolated clients."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ProfileNotFound
from remote_store_harness import Credentials, Endpoint, ExternalTarget
from remote_store_harness.endpoint import boto3_client
from remote_store_harness.probe import ProbeTarget
from remote_store_harness.probe._client import make_client

ENDPOINT = Endpoint(
    "https://s3.example:9443",
    Credentials("AKID", "the-s3cr3t", region="eu-west-1", session_token="the-t0ken"),
    ca_path="/etc/ca.pem",
    proxy_url="http://user:proxy-pa55@proxy.example:3128",
    addressing="virtual",
)


def test_repr_shows_no_secret_token_or_proxy_password() -> None:
    text = repr(ENDPOINT)
    assert "AKID" in text and "proxy.example" in text
    assert not any(s in text for s in ("the-s3cr3t", "the-t0ken", "proxy-pa55"))


def test_pytest_args_round_trip_through_the_plugin_option_reader() -> None:
    args = ENDPOINT.pytest_args(bucket="bkt")
    options = dict(zip(args[::2], args[1::2], strict=True))
    assert options["--s3-target"] == "external" and options["--s3-bucket"] == "bkt"
    again = Endpoint.from_pytest_options(
        options.get, key=options["--s3-key"], secret=options["--s3-secret"]
    )
    assert again == Endpoint(
        ENDPOINT.url,
        Credentials("AKID", "the-s3cr3t", region="eu-west-1"),
        ca_path=ENDPOINT.ca_path,
        proxy_url=ENDPOINT.proxy_url,
        addressing="virtual",
    )


def test_secret_values_cover_every_secret_in_the_pytest_args() -> None:
    args = ENDPOINT.pytest_args()
    masked = [a for a in args if a not in ENDPOINT.secret_values()]
    assert not any("the-s3cr3t" in a or "proxy-pa55" in a for a in masked)


def test_external_target_probe_target_and_endpoint_are_one_value() -> None:
    external = ExternalTarget.from_endpoint(ENDPOINT, bucket="bkt")
    probe = ProbeTarget(ENDPOINT, "bkt")
    assert external.endpoint is ENDPOINT and probe.endpoint is ENDPOINT
    assert (external.endpoint_url, external.credentials) == (ENDPOINT.url, ENDPOINT.credentials)


@pytest.fixture
def unknown_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-anywhere")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ENVKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")


@pytest.mark.usefixtures("unknown_profile")
def test_a_stock_boto3_session_is_broken_by_an_unknown_profile() -> None:
    # The condition the factory guards against (so the tests below can fail).
    with pytest.raises(ProfileNotFound):
        boto3.session.Session().client("s3", region_name="us-east-1")


@pytest.mark.usefixtures("unknown_profile")
def test_factory_clients_ignore_aws_profile_and_environment_credentials() -> None:
    client = boto3_client(ENDPOINT)
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("AKID", "the-s3cr3t")
    assert client.meta.region_name == "eu-west-1"


@pytest.mark.usefixtures("unknown_profile")
def test_probe_clients_ignore_aws_profile() -> None:
    client = make_client(ProbeTarget(ENDPOINT, "bkt"), fast_fail=True)
    assert client._request_signer._credentials.access_key == "AKID"


def test_factory_without_proxy_never_consults_proxy_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    plain = Endpoint("https://s3.example", Credentials("k", "s"))
    assert boto3_client(plain).meta.config.proxies == {}
    assert boto3_client(plain, env_proxy=True).meta.config.proxies is None
