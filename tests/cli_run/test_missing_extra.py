"""A missing optional dependency ends a subcommand with one line naming the extra to install,
and the run's report agrees with its exit status (failed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from remote_store_harness.pytest_plugin import scrubbed_environ

#: Makes ``import moto`` fail as if the distribution were not installed.
_BLOCK_MOTO = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "moto":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Block())
"""


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    blocker = tmp_path / "block"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(_BLOCK_MOTO)
    env = scrubbed_environ()
    env["PYTHONPATH"] = os.pathsep.join([str(blocker), *sys.path])
    return subprocess.run(
        [sys.executable, "-m", "remote_store_harness.cli", *argv],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_up_without_moto_names_the_harness_extra_in_one_line(tmp_path: Path) -> None:
    result = _cli(tmp_path, "up")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "remote-store-harness up: error: missing dependency 'moto': "
        "pip install 'remote-store-s3kit[harness]'"
    ]


def test_run_without_moto_fails_with_the_hint_and_a_failed_report(tmp_path: Path) -> None:
    report = tmp_path / "report"
    result = _cli(tmp_path, "run", "--quick", "--suite", "probe", "--report", str(report))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "remote-store-harness run: error: missing dependency 'moto': "
        "pip install 'remote-store-s3kit[harness]'"
    ]
    assert "Run FAILED" in result.stdout
    assert json.loads((report / "results.json").read_text())["status"] == "failed"
