"""The conformance suite's fixtures: ``store``, ``backend_id`` and ``traits``.

Every test that uses ``store`` runs once per registered backend id (registry: ``_plugins.py``;
how to add a backend: README.md in this folder). The suite also runs outside this repository
(``pytest --pyargs remote_store_harness.suites.conformance``, or ``remote-store-harness run``), so
it registers its own markers and scrubs the environment itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remote_store import Capability, Store
from remote_store_harness.pytest_plugin import scrub_environment
from remote_store_harness.suites.conformance._plugins import INI_OPTION, Plugin, discover

_PLUGINS = pytest.StashKey[dict[str, Plugin]]()

_MARKERS = (
    "requires_capability(*caps): skip unless the backend supports every capability",
    "requires_hierarchy: skip on flat-namespace backends (R-WRITE-FLAT)",
    "s3: needs the S3 extra and a harness target",
    "sftp: needs paramiko and an OpenSSH sshd",
    "slow: takes more than a few seconds",
    "bulk: writes about a thousand objects (listing pages); skipped on 'variant' ids",
)


def _extra_specs(config: pytest.Config) -> list[str]:
    specs: list[str] = []
    try:
        specs += [str(line) for line in config.getini(INI_OPTION)]
        specs += list(config.getoption("--conformance-backend") or ())
    except ValueError:  # the harness plugin is disabled (-p no:remote_store_harness)
        pass
    return specs


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    config.stash[_PLUGINS] = discover(_extra_specs(config), Path(config.rootpath))


def plugins(config: pytest.Config) -> dict[str, Plugin]:
    """The backend ids registered for this pytest run."""
    return config.stash[_PLUGINS]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_id" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend_id",
            [
                pytest.param(p.backend_id, marks=p.marks, id=p.backend_id)
                for p in plugins(metafunc.config).values()
            ],
        )


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    scrub_environment(monkeypatch)


@pytest.fixture
def traits(request: pytest.FixtureRequest, backend_id: str) -> frozenset[str]:
    return plugins(request.config)[backend_id].traits


@pytest.fixture
def store(
    request: pytest.FixtureRequest, backend_id: str, traits: frozenset[str]
) -> Iterator[Store]:
    if request.node.get_closest_marker("requires_hierarchy") and "flat_namespace" in traits:
        pytest.skip("flat namespace (R-WRITE-FLAT): folders exist only while they hold files")
    if request.node.get_closest_marker("bulk") and "variant" in traits:
        pytest.skip(
            "variant id (another id's backend and server, reached differently): "
            "bulk cases run on the base id"
        )
    generator = plugins(request.config)[backend_id].make_store(request, backend_id)
    made = next(generator)
    for marker in request.node.iter_markers("requires_capability"):
        for capability in marker.args:
            assert isinstance(capability, Capability)
            if not made.supports(capability):
                generator.close()
                pytest.skip(f"backend lacks capability '{capability.value}'")
    yield made
    try:
        next(generator)
    except StopIteration:
        pass
    else:
        raise RuntimeError(f"make_store for {backend_id!r} yielded more than once")
