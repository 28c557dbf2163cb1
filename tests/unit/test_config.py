"""§7: config dataclasses, from_dict / from_toml / from_yaml, resolve_env."""

from __future__ import annotations

from pathlib import Path

import pytest

from remote_store import (
    BackendConfig,
    RegistryConfig,
    RetryPolicy,
    Secret,
    StoreProfile,
    resolve_env,
)

DATA = {
    "backends": {
        "mem": {"type": "memory"},
        "disk": {"type": "local", "options": {"root": "/tmp/x"}},
    },
    "stores": {"a": {"backend": "mem", "root_path": "data"}, "b": {"backend": "disk"}},
}


def test_from_dict_builds_backends_and_stores() -> None:
    cfg = RegistryConfig.from_dict(DATA)
    assert cfg.backends["disk"].options["root"] == "/tmp/x"
    assert (cfg.stores["a"].root_path, cfg.stores["b"].root_path) == ("data", "")


def test_from_dict_does_not_mutate_its_input() -> None:
    data = {"backends": {"s": {"type": "s3", "options": {"secret": "pw"}}}}
    RegistryConfig.from_dict(data)
    assert data["backends"]["s"]["options"]["secret"] == "pw"  # type: ignore[index]


def test_unknown_top_level_keys_warn() -> None:
    with pytest.warns(UserWarning, match="extra"):
        RegistryConfig.from_dict({"extra": 1})


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"backends": []}, TypeError),
        ({"backends": {"b": {}}}, KeyError),
        ({"backends": {"b": {"type": 3}}}, TypeError),
        ({"stores": {"s": {}}}, KeyError),
        ({"stores": {"s": {"backend": "b", "root_path": 1}}}, TypeError),
        ({"backends": {"b": {"type": "memory", "retry": {"bogus": 1}}}}, TypeError),
        ({"backends": {"b": {"type": "memory", "retry": {"max_attempts": 0}}}}, ValueError),
        ({"backends": {"b": {"type": "s3", "options": {"password": [5]}}}}, TypeError),
    ],
)
def test_from_dict_shape_errors(data: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        RegistryConfig.from_dict(data)


def test_bad_retry_error_names_the_backend() -> None:
    with pytest.raises(ValueError, match=r"backends\['b'\]\.retry"):
        RegistryConfig.from_dict({"backends": {"b": {"type": "x", "retry": {"jitter": -1}}}})


def test_non_str_secret_error_names_the_option() -> None:
    with pytest.raises(TypeError, match="'password'"):
        RegistryConfig.from_dict({"backends": {"b": {"type": "x", "options": {"password": [1]}}}})


def test_a_numeric_credential_is_held_as_its_text_in_a_secret() -> None:
    # YAML `password: 1234` loads as an int; it is accepted, not refused.
    cfg = RegistryConfig.from_dict(
        {"backends": {"b": {"type": "x", "options": {"password": 1234}}}}
    )
    assert cfg.backends["b"].options["password"] == Secret("1234")


def test_retry_dict_becomes_a_policy() -> None:
    cfg = RegistryConfig.from_dict({"backends": {"b": {"type": "x", "retry": {"max_attempts": 1}}}})
    assert cfg.backends["b"].retry == RetryPolicy.disabled()


def test_sensitive_options_are_wrapped_by_from_dict() -> None:
    cfg = RegistryConfig.from_dict({"backends": {"b": {"type": "s3", "options": {"key": "AK"}}}})
    assert cfg.backends["b"].options["key"] == Secret("AK")


def test_sensitive_options_are_wrapped_on_direct_construction() -> None:
    cfg = BackendConfig(type="s3", options={"secret": "hunter2", "region": "x"})
    assert isinstance(cfg.options["secret"], Secret) and "hunter2" not in repr(cfg)


def test_options_are_read_only() -> None:
    cfg = BackendConfig(type="memory", options={"a": 1})
    with pytest.raises(TypeError):
        cfg.options["a"] = 2  # type: ignore[index]


def test_options_are_copied_from_the_callers_dict() -> None:
    options = {"a": 1}
    cfg = BackendConfig(type="memory", options=options)
    options["a"] = 2
    assert cfg.options["a"] == 1


def test_validate_names_the_store_and_backend() -> None:
    cfg = RegistryConfig(stores={"s": StoreProfile(backend="missing")})
    with pytest.raises(ValueError, match="Store 's' references unknown backend 'missing'"):
        cfg.validate()


def test_from_toml_with_table_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RS_TEST_ROOT", "/srv/data")
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.remote-store.backends.disk]\ntype = "local"\n'
        '[tool.remote-store.backends.disk.options]\nroot = "${RS_TEST_ROOT}"\n'
    )
    cfg = RegistryConfig.from_toml(path, table=("tool", "remote-store"), resolve_env_vars=True)
    assert cfg.backends["disk"].options["root"] == "/srv/data"


def test_from_toml_missing_table_raises_key_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[a]\nx = 1\n")
    with pytest.raises(KeyError):
        RegistryConfig.from_toml(path, table=("tool",))


def test_from_toml_non_table_raises_type_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("a = 1\n")
    with pytest.raises(TypeError):
        RegistryConfig.from_toml(path, table=("a",))


def test_from_yaml_matches_from_dict(tmp_path: Path) -> None:
    from remote_store.ext.yaml import from_yaml

    path = tmp_path / "c.yaml"
    path.write_text("backends:\n  mem:\n    type: memory\nstores:\n  a:\n    backend: mem\n")
    expected = RegistryConfig.from_dict(
        {"backends": {"mem": {"type": "memory"}}, "stores": {"a": {"backend": "mem"}}}
    )
    assert from_yaml(path) == expected


def test_from_yaml_rejects_non_mapping(tmp_path: Path) -> None:
    from remote_store.ext.yaml import from_yaml

    path = tmp_path / "c.yaml"
    path.write_text("- 1\n")
    with pytest.raises(TypeError):
        from_yaml(path)


def test_resolve_env_substitutes_and_copies() -> None:
    data = {"a": {"b": ["${X}", 1]}, "c": "pre-${Y}-post"}
    out = resolve_env(data, environ={"X": "1", "Y": "2"})
    assert out == {"a": {"b": ["1", 1]}, "c": "pre-2-post"} and data["c"] == "pre-${Y}-post"


def test_resolve_env_unset_variable_names_the_config_path() -> None:
    with pytest.raises(KeyError, match=r"'NOPE'.*\$\.a\[0\]"):
        resolve_env({"a": ["${NOPE}"]}, environ={})


@pytest.mark.parametrize(
    ("template", "environ", "expected"),
    [
        ("${V:-d}", {}, "d"),
        ("${V:-d}", {"V": ""}, "d"),
        ("${V:-d}", {"V": "x"}, "x"),
        ("${V-d}", {}, "d"),
        ("${V-d}", {"V": ""}, ""),
        ("$${V}", {}, "${V}"),
        ("${A}${B}", {"A": "1", "B": "2"}, "12"),
    ],
)
def test_resolve_env_shell_semantics(template: str, environ: dict[str, str], expected: str) -> None:
    assert resolve_env({"k": template}, environ=environ)["k"] == expected


def test_resolve_env_does_not_touch_keys_or_non_strings() -> None:
    assert resolve_env({"${K}": None, "n": 1.5}, environ={}) == {"${K}": None, "n": 1.5}
