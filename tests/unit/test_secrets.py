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


PROXY_PW = "proxy-pw-7f3a9c"
PEM = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA-pem-body\n"
    "-----END OPENSSH PRIVATE KEY-----"
)


def test_config_repr_masks_credentials_at_any_depth_by_key_name() -> None:
    cfg = BackendConfig(
        type="s3",
        options={
            "client_options": {"token": "tok-1a2b3c", "nested": [{"passphrase": "pp-4d5e6f"}]}
        },
    )
    text = repr(cfg) + str(cfg)
    assert "tok-1a2b3c" not in text and "pp-4d5e6f" not in text


def test_config_repr_masks_url_userinfo_and_pem_blocks_by_shape() -> None:
    cfg = BackendConfig(
        type="sftp",
        options={
            "host": "h",
            "extra": {"proxies": {"https": f"http://puser:{PROXY_PW}@127.0.0.1:3128"}},
            "note": PEM,
        },
    )
    text = repr(cfg)
    assert PROXY_PW not in text and "puser" not in text and "pem-body" not in text
    assert "http://***@127.0.0.1:3128" in text  # the useful part stays


def test_nested_credentials_are_held_as_secrets() -> None:
    cfg = BackendConfig(type="s3", options={"client_options": {"token": "tok-1a2b3c"}})
    client_options = cfg.options["client_options"]
    assert isinstance(client_options, dict) and client_options["token"] == Secret("tok-1a2b3c")


def test_error_messages_are_scrubbed_of_url_userinfo() -> None:
    from remote_store import BackendUnavailable

    error = BackendUnavailable(f"proxy http://u:{PROXY_PW}@h:1 refused")
    assert PROXY_PW not in str(error) and PROXY_PW not in repr(error)


def test_redaction_filter_masks_url_userinfo_and_registered_secrets_in_any_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Secret("registered-9x8y7z")
    redactor = SecretRedactionFilter()
    caplog.handler.addFilter(redactor)
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("botocore.test").debug("proxy http://u:%s@h:1", PROXY_PW)
            logging.getLogger("aiohttp.test").debug("header Credential=registered-9x8y7z/x")
            try:
                raise RuntimeError(f"url=http://u:{PROXY_PW}@h:1")
            except RuntimeError:
                logging.getLogger("s3fs.test").exception("failed")
    finally:
        caplog.handler.removeFilter(redactor)
    assert len(caplog.records) == 3
    assert PROXY_PW not in caplog.text and "registered-9x8y7z" not in caplog.text


def test_redact_exception_replaces_a_cause_chain_that_shows_a_credential() -> None:
    import traceback

    from remote_store._redact import RedactedError, redact_exception

    try:
        try:
            raise OSError(f"connect to http://u:{PROXY_PW}@h:1 failed")
        except OSError as inner:
            raise ValueError("outer") from inner
    except ValueError as exc:
        clean = redact_exception(exc)
    text = "".join(traceback.format_exception(clean))
    assert isinstance(clean, RedactedError) and PROXY_PW not in text
    assert "builtins.OSError" in text and "http://***@h:1" in text


def test_redact_exception_keeps_a_harmless_exception_as_it_is() -> None:
    from remote_store._redact import redact_exception

    exc = OSError("connection refused")
    assert redact_exception(exc) is exc
