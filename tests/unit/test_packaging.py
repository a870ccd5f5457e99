"""The dependencies resolve without backtracking (no network here; ``.ci/run`` checks pip's
own output on a fresh install).

``pip install .`` backtracked through a release a day of boto3 while boto3 was a free
dependency and aiobotocore pins botocore. fgtop imports botocore (which aiobotocore brings, at
the versions it supports) and never boto3, so the runtime lists neither; the tests need boto3
(moto does), so the test extra pins one aiobotocore and the boto3 releases of exactly its
botocore range (aiobotocore dropped its ``boto3`` extra in 3.0).
"""

from __future__ import annotations

import ast
import importlib.metadata
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(lines: list[str]) -> dict[str, Requirement]:
    return {(r := Requirement(line)).name.lower(): r for line in lines}


def test_the_runtime_lists_neither_boto3_nor_botocore() -> None:
    runtime = requirements(project()["dependencies"])
    assert "boto3" not in runtime and "botocore" not in runtime
    assert "aiobotocore" in runtime and not runtime["aiobotocore"].extras


def test_fgtop_never_imports_boto3() -> None:
    found = []
    for path in (ROOT / "fgtop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "boto3"]
    assert found == []


def test_the_test_extra_pins_boto3_to_its_aiobotocore_botocore_range() -> None:
    test = requirements(project()["optional-dependencies"]["test"])
    pinned = test["aiobotocore"]
    (version,) = (s.version for s in pinned.specifier if s.operator == "==")
    assert importlib.metadata.version("aiobotocore") == version  # the pin is what is installed
    needs = requirements(
        [r for r in importlib.metadata.requires("aiobotocore") or () if "extra ==" not in r]
    )
    assert set(test["boto3"].specifier) == set(needs["botocore"].specifier), (
        f"aiobotocore {version} wants botocore{needs['botocore'].specifier}: give boto3 the same"
    )
    assert importlib.metadata.version("boto3") in test["boto3"].specifier
