"""The sshd fixture: skip locally without sshd, fail in CI (where SFTP must be tested)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

pytestmark = pytest.mark.sftp


def _unavailable() -> Any:
    raise sys.modules["_sshd"].SshdUnavailable("sshd not installed (simulated)")


def test_missing_sshd_skips_with_the_reason_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="simulated"):
        sys.modules["_sshd"].require_sshd(_unavailable)


def test_missing_sshd_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        sys.modules["_sshd"].require_sshd(_unavailable)


def test_the_shared_server_listens_on_loopback_only(sshd: Any) -> None:
    config = (sshd.workdir / "sshd_config").read_text()
    assert "ListenAddress 127.0.0.1" in config
    assert sshd.running
