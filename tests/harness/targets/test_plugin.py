"""The pytest plugin, exercised end to end in a child pytest run (entry-point loading included)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

INNER_TESTS = """
import os

import pytest

SEEN = {}


def test_bucket_is_fresh_and_exists(s3_bucket, s3_topology):
    client = s3_topology.boto3_client()
    assert client.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0
    client.put_object(Bucket=s3_bucket, Key="left-behind", Body=b"x")
    SEEN["first"] = s3_bucket


def test_previous_bucket_was_removed(s3_bucket, s3_topology):
    assert s3_bucket != SEEN["first"]
    names = [b["Name"] for b in s3_topology.boto3_client().list_buckets()["Buckets"]]
    assert SEEN["first"] not in names


def test_request_log_starts_empty_each_test(request_log, s3_topology, s3_bucket):
    assert request_log.count() == 0
    s3_topology.boto3_client().head_bucket(Bucket=s3_bucket)
    assert request_log.operations()["HeadBucket"] == 1


def test_request_log_is_cleared_again(request_log):
    assert request_log.count() == 0


def test_factory_caches_per_spec(s3_topology_factory, s3_topology):
    assert s3_topology_factory() is s3_topology
    tls = s3_topology_factory(tls=True)
    assert tls is s3_topology_factory(tls=True) and tls is not s3_topology
    assert tls.target is s3_topology.target


def test_scrubbed_env_removes_ca_and_proxy_variables(scrubbed_env):
    for name in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "https_proxy", "NO_PROXY", "AWS_PROFILE",
                 "AWS_ENDPOINT_URL_S3"):
        assert name not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
"""

MINIO_TESTS = """
def test_needs_minio(s3_target):
    raise AssertionError("must not run without MinIO")
"""


def run_inner(tmp_path: Path, source: str, *args: str) -> tuple[ET.Element, str]:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(source))
    report = tmp_path / "report.xml"
    env_prefix = {
        "AWS_CA_BUNDLE": "/nonexistent/ca.pem",
        "SSL_CERT_FILE": "/nonexistent/ca.pem",
        "https_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "*",
        "AWS_PROFILE": "nope",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    }
    import os

    env = {**os.environ, **env_prefix}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rs",
            f"--junitxml={report}",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            *args,
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=240,
    )
    assert report.exists(), proc.stdout + proc.stderr
    return ET.parse(report).getroot(), proc.stdout


def test_plugin_fixtures_behave_as_documented(tmp_path: Path) -> None:
    root, output = run_inner(tmp_path, INNER_TESTS)
    suite = root if root.tag == "testsuite" else root[0]
    assert suite.get("tests") == "6", output
    assert suite.get("failures") == "0" and suite.get("errors") == "0", output
    assert suite.get("skipped") == "0", output


def test_unavailable_minio_skips_with_its_reason(tmp_path: Path) -> None:
    root, output = run_inner(tmp_path, MINIO_TESTS, "--s3-target=minio")
    suite = root if root.tag == "testsuite" else root[0]
    assert suite.get("skipped") == "1", output
    assert "S3 target unavailable: MinIO unavailable" in output


def test_external_target_without_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--s3-target=external",
            str(tmp_path / "test_x.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 4
    assert "--s3-endpoint" in proc.stderr


def test_plugin_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, remote_store_harness, remote_store_harness.pytest_plugin\n"
        "heavy = [m for m in ('moto', 'boto3', 'botocore', 's3fs', 'aiohttp', 'trustme', "
        "'werkzeug', 'docker') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
