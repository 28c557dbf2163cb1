"""Run every code example of docs/backends/s3.md against the harness, so the page cannot drift.

The page's placeholders (``my-bucket``, ``https://s3.internal:9000``, ``AKIAEXAMPLE``,
``example-secret``, ``/etc/ssl/certs/internal-ca.pem``, ``http://proxy.corp:3128``) are replaced by
the harness's bucket, endpoint, credentials, CA file and proxy; nothing else in an example is
changed. A ``<!-- docs-test: topology=NAME -->`` comment right before a block picks the topology
(default: TLS, path addressing, no proxy). The environment carries what a user's would:
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL_S3``,
``AWS_CA_BUNDLE`` and, on proxy topologies, ``HTTPS_PROXY``. Examples that use ``store`` get one
over a small populated bucket. After a Python example runs, every ``S3Backend`` it left in its
namespace must complete a write and a read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness.pytest_plugin import unique_bucket_name

from remote_store import Registry, RegistryConfig, Store
from remote_store.backends import S3Backend

pytestmark = pytest.mark.s3

PAGE = Path(__file__).resolve().parents[2] / "docs" / "backends" / "s3.md"
_FENCE = re.compile(
    r"(?:<!-- docs-test: topology=(?P<topology>[\w-]+) -->\n)?"
    r"```(?P<lang>python|yaml|toml)\n(?P<body>.*?)\n```",
    re.DOTALL,
)
TOPOLOGIES: dict[str, dict[str, Any]] = {
    "tls": {"tls": True},
    "tls-proxy": {"tls": True, "proxy": "forward"},
    "tls-virtual": {"tls": True, "proxy": "forward", "addressing": "virtual"},
}
POPULATION = [
    ("data/summary.csv", b"a,b\n"),
    ("data/2024/01/sales.csv", b"1,2\n"),
    ("data/2024/01/notes.txt", b"hi"),
    ("bronze/raw/part-0.parquet", b"PAR1"),
    ("bronze/raw/2024/part-1.parquet", b"PAR1"),
    ("silver/clean.csv", b"x"),
]


@dataclass(frozen=True)
class Example:
    lang: str
    line: int
    topology: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.lang}-line{self.line}"


def examples() -> list[Example]:
    text = PAGE.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        found.append(Example(match["lang"], line, match["topology"] or "tls", match["body"] + "\n"))
    return found


def test_the_page_has_examples_of_every_kind() -> None:
    kinds = {e.lang for e in examples()}
    assert kinds == {"python", "yaml", "toml"}
    assert len(examples()) >= 15


@pytest.fixture
def harness(
    request: pytest.FixtureRequest, s3_topology_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, str]]:
    example: Example = request.param
    topology = s3_topology_factory(**TOPOLOGIES[example.topology])
    bucket = unique_bucket_name("docs")
    topology.create_bucket(bucket)
    topology.target.populate(bucket, POPULATION)
    creds = topology.credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", creds.region)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", topology.endpoint_url)
    monkeypatch.setenv("AWS_CA_BUNDLE", topology.ca_path)
    if topology.proxy_url:
        monkeypatch.setenv("HTTPS_PROXY", topology.proxy_url)
    yield topology, bucket
    topology.delete_bucket(bucket)


def substitute(text: str, topology: Any, bucket: str) -> str:
    creds = topology.credentials
    replacements = {
        "my-bucket": bucket,
        "https://s3.internal:9000": topology.endpoint_url,
        "AKIAEXAMPLE": creds.access_key,
        "example-secret": creds.secret_key,
        "/etc/ssl/certs/internal-ca.pem": topology.ca_path,
        "http://proxy.corp:3128": topology.proxy_url or "http://proxy.corp:3128",
    }
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def prove_backend_works(backend: S3Backend) -> None:
    store = Store(backend)
    store.write("docs-example-check.txt", b"ok", overwrite=True)
    assert store.read_bytes("docs-example-check.txt") == b"ok"
    store.close()


def prove_registry_works(registry: Registry) -> None:
    for name in registry.config.stores:
        store = registry.get_store(name)
        store.write("docs-example-check.txt", b"ok", overwrite=True)
        assert store.read_bytes("docs-example-check.txt") == b"ok"


PYTHON = [e for e in examples() if e.lang == "python"]
CONFIGS = [e for e in examples() if e.lang != "python"]


@pytest.mark.parametrize("harness", PYTHON, ids=[e.id for e in PYTHON], indirect=True)
def test_python_example_runs(harness: tuple[Any, str], request: pytest.FixtureRequest) -> None:
    topology, bucket = harness
    example: Example = request.node.callspec.params["harness"]
    code = substitute(example.body, topology, bucket)
    store = Store(S3Backend(**topology.s3_options(bucket)))

    def process(file_info: Any) -> None:
        assert file_info.size >= 0

    namespace: dict[str, Any] = {"__name__": "docs_example", "store": store, "process": process}
    mark = topology.request_log.mark()
    exec(compile(code, f"{PAGE.name}:{example.line}", "exec"), namespace)
    backends = [v for v in namespace.values() if isinstance(v, S3Backend)]
    for value in namespace.values():
        if isinstance(value, Store) and value is not store:
            value.close()
    for backend in backends:
        try:
            prove_backend_works(backend)
        except Exception as exc:
            if "closed" not in str(exc):
                raise
    store.close()
    constructs_something = "S3Backend(" in code or "Registry(" in code or "store." in code
    if constructs_something and "except ValueError" not in code:
        assert topology.request_log.since(mark), "the example never reached the harness"


@pytest.mark.parametrize("harness", CONFIGS, ids=[e.id for e in CONFIGS], indirect=True)
def test_config_example_loads_and_works(
    harness: tuple[Any, str], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    topology, bucket = harness
    example: Example = request.node.callspec.params["harness"]
    path = tmp_path / f"config.{example.lang}"
    path.write_text(substitute(example.body, topology, bucket), encoding="utf-8")
    if example.lang == "toml":
        config = RegistryConfig.from_toml(path)
    else:
        pytest.importorskip("yaml")
        from remote_store.ext.yaml import from_yaml

        config = from_yaml(path)
    with Registry(config) as registry:
        prove_registry_works(registry)
