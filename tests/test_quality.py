"""The code stays clean and the core stays pure; these run with the rest of the suite."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

SRC = ROOT / "src" / "cnncalc"
CORE = [
    "errors.py",
    "geometry.py",
    "args.py",
    "spec.py",
    "analysis.py",
    "report.py",
    "layers",
    "receptive.py",
    "derivation.py",
    "explain.py",
    "memory.py",
    "sweep.py",
]
CORE += ["checks.py", "gate.py", "diff.py", "schema.py"]  # cnncalc check, diff and schema
CORE += ["conventions.py", "export"]  # pure too: export writes PyTorch code as text
CORE += ["layer_docs.py"]  # docs/layers.md, generated from the registry
CORE += ["picture.py"]  # the figures of a conv or pooling picture (the HTML report draws them)
FORBIDDEN = {"typer", "rich", "yaml", "click", "torch"}  # torch is never a dependency of cnncalc


def _imports(path: str) -> set[str]:
    found: set[str] = set()
    for file in [SRC / path] if path.endswith(".py") else sorted((SRC / path).glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_framework_ui_or_yaml(module: str) -> None:
    assert not (_imports(module) & FORBIDDEN)


def test_renderers_other_than_the_table_do_not_import_rich() -> None:
    assert "rich" not in _imports("render/text.py")


def _tool(name: str) -> str:
    """The tool installed beside this interpreter (the test extra), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    path = str(beside) if beside.exists() else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (it is in the test extra)")
    return path


def test_ruff() -> None:
    result = subprocess.run([_tool("ruff"), "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", ["render/columns.py", "render/explain.py", "render/graph.py"])
def test_plain_text_renderers_do_not_import_rich(module: str) -> None:
    assert "rich" not in _imports(module)
