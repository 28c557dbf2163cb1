"""The one list of scrubbed variables, applied the same way to os.environ and to child envs."""

from __future__ import annotations

import os

import pytest
from remote_store_harness.pytest_plugin import scrub_environment, scrubbed_environ


def test_mapping_loses_listed_variables_in_any_letter_case() -> None:
    env = {"https_proxy": "x", "Ssl_Cert_File": "x", "AWS_SECURITY_TOKEN": "x", "HOME": "/h"}
    scrub_environment(env)
    assert env == {"HOME": "/h"}


def test_mapping_loses_every_endpoint_url_variable() -> None:
    env = {"AWS_ENDPOINT_URL": "x", "AWS_ENDPOINT_URL_S3": "x", "aws_endpoint_url_sts": "x"}
    scrub_environment(env)
    assert env == {}


def test_monkeypatch_scrub_is_undone_after_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", "/nonexistent/ca.pem")
    with monkeypatch.context() as inner:
        scrub_environment(inner)
        assert "AWS_CA_BUNDLE" not in os.environ
    assert os.environ["AWS_CA_BUNDLE"] == "/nonexistent/ca.pem"


def test_child_environment_is_a_scrubbed_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("HARNESS_KEEP_ME", "1")
    env = scrubbed_environ()
    assert "NO_PROXY" not in env and env["HARNESS_KEEP_ME"] == "1"
    assert os.environ["NO_PROXY"] == "*"
