"""Scenario 1: which CA bundle decides trust (S3 backend page, "Custom TLS Certificates").

Four sources, each unset / empty / the right CA / a wrong CA / a missing path. Rather than the
625-case product, the cases walk every precedence edge: for each source as the deciding one,
every deciding state, with every higher-priority source unset or empty (both must be skipped)
and the lower-priority sources set to the *opposite* verdict (so a wrong precedence order
changes the outcome). Each case does a real TLS handshake against the harness gateway.

Expected outcomes:
- right CA decides  -> the store connects (a PutObject reaches the gateway over TLS);
- wrong CA decides  -> ``BackendUnavailable`` naming the source, no request reaches the server;
- missing path      -> ``ValueError`` at construction naming the source and the path;
- nothing set       -> the client's default trust store, which does not know the harness CA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from scenario_support import (
    attempt,
    backend_kwargs,
    describe_records,
    make_store,
    served,
    unique_bucket,
)

SCENARIO = "ca-bundle-precedence"

pytestmark = pytest.mark.usefixtures("require_s3")

SOURCES = ("tls_ca_bundle", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
ENV_SOURCES = SOURCES[1:]
UNSET, EMPTY, RIGHT, WRONG, MISSING = "unset", "empty", "right", "wrong", "missing"


@dataclass(frozen=True)
class CaCase:
    states: dict[str, str]

    @property
    def id(self) -> str:
        return "-".join(f"{_short(s)}={self.states[s]}" for s in SOURCES)

    def decider(self) -> tuple[str, str] | None:
        """The (source, state) that must decide, by the documented precedence."""
        if self.states["tls_ca_bundle"] != UNSET:
            return "tls_ca_bundle", self.states["tls_ca_bundle"]
        for source in ENV_SOURCES:
            if self.states[source] not in (UNSET, EMPTY):
                return source, self.states[source]
        return None


def _short(source: str) -> str:
    return {"tls_ca_bundle": "explicit", "AWS_CA_BUNDLE": "aws"}.get(
        source, {"REQUESTS_CA_BUNDLE": "requests", "SSL_CERT_FILE": "sslcert"}.get(source, source)
    )


def _opposite(state: str) -> list[str]:
    return [WRONG, MISSING] if state == RIGHT else [RIGHT]


def _cases() -> list[CaCase]:
    cases: dict[str, CaCase] = {}

    def add(states: dict[str, str]) -> None:
        case = CaCase({s: states.get(s, UNSET) for s in SOURCES})
        cases.setdefault(case.id, case)

    for index, decider in enumerate(SOURCES):
        higher_env = [s for s in SOURCES[:index] if s != "tls_ca_bundle"]
        lower = list(SOURCES[index + 1 :])
        decider_states = [RIGHT, WRONG, MISSING] + ([EMPTY] if decider == "tls_ca_bundle" else [])
        higher_fills = [UNSET, EMPTY] if higher_env else [UNSET]
        for state in decider_states:
            for fill in higher_fills:
                lower_fills = _opposite(state) if lower else [UNSET]
                for lower_fill in lower_fills:
                    states = {s: fill for s in higher_env}
                    states[decider] = state
                    states.update({s: lower_fill for s in lower})
                    add(states)
    # Mixed skips above the decider: an empty AWS_CA_BUNDLE and an unset REQUESTS_CA_BUNDLE.
    add({"AWS_CA_BUNDLE": EMPTY, "SSL_CERT_FILE": RIGHT})
    add({"AWS_CA_BUNDLE": EMPTY, "REQUESTS_CA_BUNDLE": WRONG, "SSL_CERT_FILE": RIGHT})
    # Nothing usable anywhere: the client's default trust store decides (empty = unset).
    add({})
    add({s: EMPTY for s in ENV_SOURCES})
    for source in ENV_SOURCES:
        add({source: EMPTY})
    return list(cases.values())


CASES = _cases()


@pytest.fixture(scope="module")
def ca_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from remote_store_harness import HarnessCA

    directory = tmp_path_factory.mktemp("ca-bundles")
    wrong = HarnessCA.create(common_name="scenario wrong CA").write_ca(directory / "wrong-ca.pem")
    return {WRONG: str(wrong), MISSING: str(directory / "no-such-ca.pem")}


@pytest.fixture
def tls_topology(topology: Any) -> Any:
    return topology(tls=True)


def _value(state: str, right: str, files: dict[str, str]) -> str | None:
    if state == UNSET:
        return None
    if state == EMPTY:
        return ""
    if state == RIGHT:
        return right
    return files[state]


def _expected(case: CaCase) -> tuple[str, str | None]:
    decided = case.decider()
    if decided is None:
        return "BackendUnavailable", "default trust store"
    source, state = decided
    if state == RIGHT:
        return "ok", source
    if state in (MISSING, EMPTY):
        return "ValueError", source
    return "BackendUnavailable", source


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_ca_bundle_source_precedence(
    case: CaCase,
    tls_topology: Any,
    ca_files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
) -> None:
    right = str(tls_topology.ca_path)
    for source in ENV_SOURCES:
        value = _value(case.states[source], right, ca_files)
        if value is not None:
            monkeypatch.setenv(source, value)
    explicit = _value(case.states["tls_ca_bundle"], right, ca_files)
    expected_kind, expected_source = _expected(case)
    scenario_case.expect(
        f"{expected_kind} (decided by {expected_source})",
        states=case.states,
    )

    bucket = unique_bucket("ca")
    tls_topology.create_bucket(bucket)
    options = backend_kwargs(tls_topology, bucket, keep_ca=False)
    options["tls_ca_bundle"] = explicit

    built = attempt(lambda: make_store(options))
    if expected_kind == "ValueError":
        scenario_case.observe(built.text)
        assert not built.ok and isinstance(built.error, ValueError), (
            f"expected ValueError at construction, user saw: {built.text}"
        )
        message = str(built.error)
        assert expected_source is not None and expected_source in message, (
            f"the ValueError does not name the source {expected_source}: {message}"
        )
        if case.states[expected_source] == MISSING:
            assert ca_files[MISSING] in message, f"the ValueError does not name the path: {message}"
        return
    assert built.ok, f"construction failed unexpectedly, user saw: {built.text}"
    store = built.value

    log = tls_topology.request_log
    mark = log.mark()
    with store:
        result = attempt(lambda: store.write("probe.txt", b"trusted?", overwrite=True))
    records = log.since(mark)
    scenario_case.observe(result.text, requests=describe_records(records))

    if expected_kind == "ok":
        assert result.ok, f"expected the store to connect, user saw: {result.text}"
        puts = [r for r in served(records) if r.operation == "PutObject"]
        assert puts and all(r.tls for r in puts), (
            f"no TLS PutObject reached the gateway: {describe_records(records)}"
        )
        return

    from remote_store import BackendUnavailable

    assert isinstance(result.error, BackendUnavailable), (
        f"expected BackendUnavailable, user saw: {result.text}"
    )
    message = str(result.error)
    assert expected_source is not None and expected_source in message, (
        f"the TLS error does not name the CA source ({expected_source}): {message}"
    )
    assert "certificate verif" in message.lower(), (
        f"the TLS error does not say certificate verification failed: {message}"
    )
    assert served(records) == [], (
        f"requests reached the server despite a failed handshake: {describe_records(records)}"
    )


# --------------------------------------------------------------------- our value over s3fs


def _plain_s3fs_ls(topology: Any, bucket: str) -> Any:
    import s3fs

    creds = topology.credentials
    fs = s3fs.S3FileSystem(
        key=creds.access_key,
        secret=creds.secret_key,
        endpoint_url=topology.endpoint_url,
        client_kwargs={"region_name": creds.region},
        config_kwargs={"retries": {"total_max_attempts": 1}, "connect_timeout": 2.0},
        skip_instance_cache=True,
        use_listings_cache=False,
    )
    return fs.ls(bucket)


def test_ssl_cert_file_alone_trusts_for_our_backend_but_not_for_plain_s3fs(
    tls_topology: Any, monkeypatch: pytest.MonkeyPatch, scenario_case: Any
) -> None:
    """Only SSL_CERT_FILE names the CA: botocore ignores it, our resolution does not."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_topology.ca_path))
    scenario_case.expect("remote_store connects; plain s3fs fails TLS verification")
    bucket = unique_bucket("sslcert")
    tls_topology.create_bucket(bucket)

    with make_store(backend_kwargs(tls_topology, bucket, keep_ca=False)) as store:
        ours = attempt(lambda: store.write("probe.txt", b"x", overwrite=True))
    theirs = attempt(lambda: _plain_s3fs_ls(tls_topology, bucket))
    scenario_case.observe(f"remote_store: {ours.text}; s3fs: {theirs.text}")

    assert ours.ok, f"our backend should trust SSL_CERT_FILE, user saw: {ours.text}"
    assert not theirs.ok, "plain s3fs connected: it honours SSL_CERT_FILE after all?"
    assert isinstance(theirs.error, OSError) and "certificate verify failed" in theirs.text, (
        f"plain s3fs failed, but not on certificate verification: {theirs.text}"
    )


# ------------------------------------------------------ the old workaround still wins


VERIFY_CASES = [
    pytest.param({"AWS_CA_BUNDLE": WRONG}, None, RIGHT, "ok", id="verify-right-beats-env-wrong"),
    pytest.param(
        {"AWS_CA_BUNDLE": RIGHT},
        None,
        WRONG,
        "BackendUnavailable",
        id="verify-wrong-beats-env-right",
    ),
    pytest.param({}, WRONG, RIGHT, "ok", id="verify-right-beats-explicit-wrong"),
    pytest.param(
        {"SSL_CERT_FILE": WRONG, "REQUESTS_CA_BUNDLE": WRONG},
        None,
        RIGHT,
        "ok",
        id="verify-right-beats-all-env-wrong",
    ),
]


@pytest.mark.parametrize(("env", "explicit", "verify", "expected"), VERIFY_CASES)
def test_client_kwargs_verify_wins(
    env: dict[str, str],
    explicit: str | None,
    verify: str,
    expected: str,
    tls_topology: Any,
    ca_files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
) -> None:
    right = str(tls_topology.ca_path)
    for name, state in env.items():
        monkeypatch.setenv(name, _value(state, right, ca_files) or "")
    scenario_case.expect(f"{expected} (decided by client_kwargs.verify={verify})")
    bucket = unique_bucket("verify")
    tls_topology.create_bucket(bucket)
    options = backend_kwargs(tls_topology, bucket, keep_ca=False)
    options["tls_ca_bundle"] = _value(explicit, right, ca_files) if explicit else None
    options["client_options"].setdefault("client_kwargs", {})["verify"] = _value(
        verify, right, ca_files
    )

    built = attempt(lambda: make_store(options))
    assert built.ok, f"construction failed, user saw: {built.text}"
    with built.value as store:
        result = attempt(lambda: store.write("probe.txt", b"x", overwrite=True))
    scenario_case.observe(result.text)
    if expected == "ok":
        assert result.ok, f"client_kwargs.verify should decide, user saw: {result.text}"
    else:
        from remote_store import BackendUnavailable

        assert isinstance(result.error, BackendUnavailable), (
            f"expected BackendUnavailable, user saw: {result.text}"
        )
        assert "client_kwargs" in str(result.error), (
            f"the TLS error does not name client_kwargs.verify as the source: {result.error}"
        )


def test_stale_env_bundle_is_validated_even_when_verify_is_given(
    tls_topology: Any,
    ca_files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    scenario_case: Any,
) -> None:
    """Contract 9.3: the resolved env path is validated at construction, verify or not."""
    monkeypatch.setenv("AWS_CA_BUNDLE", ca_files[MISSING])
    scenario_case.expect("ValueError naming AWS_CA_BUNDLE (contract 9.3 validates regardless)")
    options = backend_kwargs(tls_topology, unique_bucket("stale"), keep_ca=False)
    options["client_options"].setdefault("client_kwargs", {})["verify"] = str(tls_topology.ca_path)
    built = attempt(lambda: make_store(options))
    scenario_case.observe(built.text)
    assert isinstance(built.error, ValueError) and "AWS_CA_BUNDLE" in built.text, (
        f"expected ValueError naming AWS_CA_BUNDLE, user saw: {built.text}"
    )


def test_case_generator_covers_every_precedence_edge(scenario_case: Any) -> None:
    """Every source decides with every state, and empty env sources are skipped over."""
    decided = {c.decider() for c in CASES}
    scenario_case.expect("every (source, state) decides in some case", cases=len(CASES))
    scenario_case.observe(f"{len(decided)} distinct deciders over {len(CASES)} cases")
    for source in SOURCES:
        for state in (RIGHT, WRONG, MISSING):
            assert (source, state) in decided
    assert ("tls_ca_bundle", EMPTY) in decided
    assert None in decided
    for source in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        skipped_when_empty = [
            c for c in CASES if c.states[source] == EMPTY and (c.decider() or ("",))[0] != source
        ]
        assert skipped_when_empty
