"""Every exception the harness defines has one root, so callers can catch "the harness said no"."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import remote_store_harness
from remote_store_harness import HarnessError
from remote_store_harness.errors import GatewayConfigError, RunError, TargetError
from remote_store_harness.net import GatewayConfigError as NetGatewayConfigError
from remote_store_harness.targets import TargetError as TargetsTargetError

# Modules with import-time side effects (``python -m`` entry points) are not imported here.
_ENTRY_POINTS = {"remote_store_harness.cli.__main__"}
#: Test suites shipped in the package: their exceptions are test doubles, not harness errors.
_SHIPPED_TESTS = "remote_store_harness.suites.conformance"


def _harness_modules() -> list[ModuleType]:
    names = [remote_store_harness.__name__]
    names += [
        info.name
        for info in pkgutil.walk_packages(
            remote_store_harness.__path__, prefix=f"{remote_store_harness.__name__}."
        )
        if info.name not in _ENTRY_POINTS
        and not (info.name == _SHIPPED_TESTS or info.name.startswith(_SHIPPED_TESTS + "."))
    ]
    return [importlib.import_module(name) for name in names]


def _defined_exceptions(module: ModuleType) -> list[type[BaseException]]:
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and obj.__module__ == module.__name__
    ]


def test_every_exception_defined_in_the_package_subclasses_harness_error() -> None:
    modules = _harness_modules()
    defined = [exc for module in modules for exc in _defined_exceptions(module)]
    strays = [
        f"{exc.__module__}.{exc.__qualname__}"
        for exc in defined
        if not issubclass(exc, HarnessError)
    ]
    assert len(modules) > 30 and len(defined) >= 20, (len(modules), len(defined))
    assert strays == []


def test_old_import_points_name_the_same_classes() -> None:
    assert NetGatewayConfigError is GatewayConfigError
    assert TargetsTargetError is TargetError


def test_config_errors_still_catchable_as_value_error() -> None:
    assert issubclass(GatewayConfigError, ValueError)


def test_run_errors_keep_one_line_messages_and_exit_codes() -> None:
    error = RunError("first line\n  second line")
    assert str(error) == "first line second line" and error.exit_code == 1
