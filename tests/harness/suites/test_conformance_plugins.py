"""The packaged conformance suite runs from outside the repository and takes backends from
entry points and from ``--conformance-backend``.

Each test runs ``pytest --pyargs remote_store_harness.suites.conformance`` in a child process from
an empty directory (no configuration file), as a third-party backend package would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import remote_store_harness

import remote_store

_PLUGIN = textwrap.dedent(
    """
    from remote_store import Store
    from remote_store.backends import MemoryBackend

    BACKEND_IDS = ("thirdparty-mem",)

    def make_store(request, backend_id):
        with Store(MemoryBackend()) as store:
            yield store
    """
)


def _pytest(
    cwd: Path, *args: str, extra_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    paths = [str(Path(remote_store.__file__).parents[1]),
             str(Path(remote_store_harness.__file__).parents[1])]  # fmt: skip
    if extra_path is not None:
        paths.insert(0, str(extra_path))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
            "--pyargs", "remote_store_harness.suites.conformance", *args]  # fmt: skip
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _write_distribution(site: Path, entry_point_value: str) -> None:
    """A minimal installed distribution declaring one conformance-backend entry point."""
    info = site / "thirdparty_backend-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: thirdparty-backend\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        f"[remote_store_harness.conformance_backends]\nthirdparty = {entry_point_value}\n"
    )


def test_an_entry_point_plugin_runs_the_whole_suite_against_its_backend(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "thirdparty_plugin.py").write_text(_PLUGIN)
    _write_distribution(site, "thirdparty_plugin")
    empty = tmp_path / "cwd"
    empty.mkdir()
    result = _pytest(empty, "-k", "thirdparty-mem", extra_path=site)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    passed = int(result.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed > 200


def test_a_plugin_file_given_on_the_command_line_adds_its_ids(tmp_path: Path) -> None:
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text(_PLUGIN)
    result = _pytest(tmp_path, "--co", "--conformance-backend", str(plugin))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ids = result.stdout
    assert "[thirdparty-mem]" in ids and "[memory]" in ids and "[s3-http]" in ids


def test_a_plugin_that_fails_to_import_stops_the_run_naming_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _write_distribution(site, "no_such_module_here")
    result = _pytest(tmp_path, "--co", extra_path=site)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "entry point 'thirdparty' (no_such_module_here) failed to load" in output


def test_an_id_registered_twice_is_a_usage_error(tmp_path: Path) -> None:
    plugin = tmp_path / "dup.py"
    plugin.write_text(_PLUGIN.replace('"thirdparty-mem"', '"memory"'))
    result = _pytest(tmp_path, "--co", "--conformance-backend", str(plugin))
    assert result.returncode != 0
    assert "id 'memory' registered twice" in result.stdout + result.stderr


def test_bulk_cases_run_on_the_base_id_and_skip_on_a_variant_with_the_reason(
    tmp_path: Path,
) -> None:
    plugin = tmp_path / "pair.py"
    plugin.write_text(
        _PLUGIN.replace('("thirdparty-mem",)', '("thirdparty-mem", "thirdparty-mem-tls")')
        + '\nTRAITS = {"thirdparty-mem-tls": frozenset({"variant"})}\n'
    )
    selection = ["-m", "bulk", "-k", "thirdparty", "--conformance-backend", str(plugin)]
    result = _pytest(tmp_path, "-vv", "-rs", *selection)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "3 passed, 3 skipped" in result.stdout
    lines = result.stdout.splitlines()
    assert sum("[thirdparty-mem] PASSED" in line for line in lines) == 3
    assert sum("[thirdparty-mem-tls] SKIPPED" in line for line in lines) == 3
    assert result.stdout.count("variant id") == 3  # the -rs reason of each skip
