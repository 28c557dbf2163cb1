"""Start-up cost: a backend's third-party client library is imported only when that backend is used.

Each check runs in a fresh interpreter, because this test process has long since
imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_HEAVY = ("paramiko", "s3fs", "aiobotocore", "botocore", "aiohttp", "fsspec")
_SRC = str(Path(__file__).resolve().parents[2] / "src")


def _imported_after(code: str) -> list[str]:
    """The heavy third-party packages present in ``sys.modules`` after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps(sorted(set({_HEAVY!r}) & set(sys.modules))))"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([_SRC, env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_import_remote_store_imports_no_backend_dependency() -> None:
    assert _imported_after("import remote_store") == []


def test_import_backends_package_imports_no_backend_dependency() -> None:
    assert _imported_after("import remote_store.backends") == []


def test_importing_the_s3_backend_class_does_not_import_paramiko_or_s3fs() -> None:
    assert _imported_after("from remote_store.backends import S3Backend") == []


def test_a_local_only_registry_imports_no_network_client() -> None:
    code = (
        "import tempfile\n"
        "from remote_store import BackendConfig, Registry, RegistryConfig, StoreProfile\n"
        "root = tempfile.mkdtemp()\n"
        "cfg = RegistryConfig(backends={'f': BackendConfig(type='local', options={'root': root})},"
        " stores={'s': StoreProfile(backend='f')})\n"
        "with Registry(cfg) as r:\n"
        "    r.get_store('s').write('a.txt', b'x')\n"
    )
    assert _imported_after(code) == []


def test_an_s3_backend_in_use_loads_s3fs_but_not_paramiko() -> None:
    code = (
        "from remote_store import CapabilityNotSupported\n"
        "from remote_store.backends import S3Backend\n"
        "b = S3Backend('bucket', endpoint_url='http://127.0.0.1:9', key='k', secret='s')\n"
        "try:\n"
        "    b.unwrap(int)  # builds the client (no request), then refuses the type\n"
        "except CapabilityNotSupported:\n"
        "    pass\n"
    )
    loaded = _imported_after(code)
    assert "s3fs" in loaded and "paramiko" not in loaded
