"""Secrets never appear in repr, str, error messages or log records."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from remote_store import (
    BackendConfig,
    Registry,
    RegistryConfig,
    Secret,
    SecretRedactionFilter,
    StoreProfile,
)

PLAIN = "hunter2-very-secret"


def test_secret_repr_and_str_are_masked() -> None:
    s = Secret(PLAIN)
    assert (repr(s), str(s), f"{s}") == ("Secret('***')", "***", "***")


def test_secret_reveal_returns_the_value() -> None:
    assert Secret(PLAIN).reveal() == PLAIN


def test_secret_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_secret_survives_pickle_and_deepcopy() -> None:
    assert pickle.loads(pickle.dumps(Secret(PLAIN))) == Secret(PLAIN)
    assert copy.deepcopy(Secret(PLAIN)).reveal() == PLAIN


def test_backend_config_repr_hides_credentials() -> None:
    cfg = BackendConfig(type="s3", options={"key": PLAIN, "secret": PLAIN, "password": PLAIN})
    assert PLAIN not in repr(cfg) and PLAIN not in str(cfg)


def test_registry_option_error_does_not_leak_the_secret() -> None:
    cfg = RegistryConfig(
        backends={"m": BackendConfig(type="memory", options={"password": PLAIN})},
        stores={"m": StoreProfile(backend="m")},
    )
    with pytest.raises(ValueError) as caught:
        Registry(cfg)
    assert PLAIN not in str(caught.value) and PLAIN not in repr(caught.value)


def test_redaction_filter_masks_secret_args(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("remote_store.test_secrets")
    redactor = SecretRedactionFilter()
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.DEBUG, logger="remote_store"):
            logger.info("connecting with %s", Secret(PLAIN))
            logger.info("mapping %(pw)s", {"pw": Secret(PLAIN)})
    finally:
        logger.removeFilter(redactor)
    assert all(PLAIN not in r.getMessage() for r in caplog.records)
    assert all(PLAIN not in str(r.args) for r in caplog.records)
    assert len(caplog.records) == 2


def test_secret_formatted_into_a_log_message_is_masked_without_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="remote_store"):
        logging.getLogger("remote_store.x").warning(
            "cfg=%r", BackendConfig(type="s3", options={"secret": PLAIN})
        )
    assert PLAIN not in caplog.text


def test_store_logs_never_contain_config_secrets(caplog: pytest.LogCaptureFixture) -> None:
    cfg = RegistryConfig(
        backends={"m": BackendConfig(type="memory")}, stores={"m": StoreProfile(backend="m")}
    )
    with caplog.at_level(logging.DEBUG, logger="remote_store"), Registry(cfg) as registry:
        store = registry.get_store("m")
        store.write("f.txt", b"x")
        store.read_bytes("f.txt")
    assert caplog.records and PLAIN not in caplog.text
