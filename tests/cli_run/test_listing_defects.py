"""The conformance suite's folder-listing cases catch a server that drops subfolder-only
folders from delimiter listings (moto with the ``drop_subfolder_prefixes`` defect) and pass on
stock moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import EndpointPool, defective_endpoints, run_cli_process

#: The small folder-listing cases; the bulk ones (a thousand writes each, listing pages) prove
#: nothing about dropped subfolder-only folders.
_LISTING_CASES = [
    *("--pytest-arg=-k", "--pytest-arg=test_listing_folders"),
    *("--pytest-arg=-m", "--pytest-arg=not bulk"),
]


@pytest.fixture(scope="module")
def drops_subfolder_prefixes(harness_ca: Any) -> Iterator[EndpointPool]:
    with defective_endpoints(harness_ca, "drop_subfolder_prefixes") as pool:
        yield pool


def test_folder_listing_cases_fail_on_a_server_that_drops_subfolder_only_folders(
    drops_subfolder_prefixes: EndpointPool, tmp_path: Path
) -> None:
    endpoint = drops_subfolder_prefixes()
    result = run_cli_process(endpoint.args("--suite", "conformance", *_LISTING_CASES), tmp_path)
    cases = result.results["suites"][0]["cases"]
    failed = {c["nodeid"].split("::")[-1].split("[")[0] for c in cases if c["outcome"] == "failed"}
    assert result.code == 1
    assert {
        "test_list_folders_includes_a_folder_holding_only_subfolders",
        "test_list_folders_of_the_root_includes_a_folder_holding_only_subfolders",
        "test_iter_children_includes_a_folder_holding_only_subfolders",
    } <= failed


def test_folder_listing_cases_pass_on_moto(module_endpoints: EndpointPool, tmp_path: Path) -> None:
    endpoint = module_endpoints()
    result = run_cli_process(endpoint.args("--suite", "conformance", *_LISTING_CASES), tmp_path)
    suite = result.results["suites"][0]
    assert result.code == 0, result.out[-2000:]
    assert suite["status"] == "passed" and suite["counts"]["passed"] >= 7
