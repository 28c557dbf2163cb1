"""The README's code blocks run as written, so the front page cannot drift from the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_library_example_runs_and_lists_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library_example = next(b for b in _python_blocks() if "RegistryConfig(" in b)
    code = library_example.replace("/tmp/rs-demo", str(tmp_path / "rs-demo"))

    exec(compile(code, "README.md", "exec"), {})

    assert capsys.readouterr().out.split() == ["2026/q3.csv", "14"]


def test_readme_plugin_example_passes_as_a_test_module_of_another_project(
    tmp_path: Path,
) -> None:
    plugin_example = next(b for b in _python_blocks() if "s3_topology_factory" in b)
    (tmp_path / "test_my_uploads.py").write_text(plugin_example, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = README.read_text(encoding="utf-8")
    commands = re.findall(r"^(python -m pip install .*)$", readme, flags=re.M)
    test_command = next(c for c in commands if "pytest" in c)
    ci_script = (README.parent / ".ci" / "run").read_text(encoding="utf-8")

    lines = ci_script.splitlines()
    assert test_command in lines
    # `set -e` ignores a failure inside an && list: the script must take the list's status itself.
    after = lines[lines.index(test_command) + 1]
    assert after.startswith("tests_status=$?"), after
