"""The README's check/diff/schema examples, the pre-commit hook and the GitHub Actions snippet stay true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import cnncalc
from cnncalc.schema import spec_schema

from .conftest import ROOT, Result

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTIONS = README[README.index("## Gating specs in CI") : README.index("## Python API")]
CNNCALC = Path(sys.executable).with_name("cnncalc")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SECTIONS, flags=re.DOTALL)


def examples() -> list[tuple[str, str]]:
    """(command, expected output) for every ``$ cnncalc …`` line of the sections' transcripts, in order.

    Console blocks hold commands that succeed anywhere (tests/test_readme.py runs them beside net.yaml);
    text blocks that start with ``$`` are transcripts of this repository, failures included.
    """
    found = []
    for block in re.findall(r"```(?:console|text)\n(\$ .*?)```", SECTIONS, flags=re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


@pytest.mark.skipif(not CNNCALC.exists(), reason="the cnncalc script is not installed beside this interpreter")
def test_transcripts_print_what_the_readme_shows(tmp_path: Path) -> None:
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    spec_example = README[README.index("\n## The spec language\n") :]
    (tmp_path / "net.yaml").write_text(re.findall(r"```yaml\n(.*?)```", spec_example, flags=re.DOTALL)[0])
    env = {**os.environ, "PATH": f"{CNNCALC.parent}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}
    env.update(NO_COLOR="1", TERM="dumb", CNNCALC_DEBUG="")
    ran = []
    for command, expected in examples():
        result = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert result.stdout + result.stderr == expected, command
        ran.append(command.split()[1])
    assert ran == ["check", "check", "check", "check", "preset", "diff", "diff"]


def test_the_checks_example_holds_for_googlenet(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    (checks,) = [b for b in blocks("yaml") if b.startswith("checks:")]
    result = cli("check", str(spec_file(cnncalc.preset_text("googlenet") + checks)), "-f", "json")
    assert result.exit_code == 0, result


def test_the_editor_example_is_a_valid_spec() -> None:
    import jsonschema

    (text,) = [b for b in blocks("yaml") if b.startswith("# yaml-language-server: $schema=")]
    cnncalc.analyze(cnncalc.loads(text))
    jsonschema.validate(yaml.safe_load(text), spec_schema(), cls=jsonschema.Draft202012Validator)


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_the_pre_commit_hook() -> None:
    (hook,) = hooks()
    assert (hook["id"], hook["entry"], hook["language"]) == ("cnncalc-check", "cnncalc check", "python")
    files = re.compile(hook["files"])
    assert files.search("specs/small-resnet.yaml") and files.search("models/specs/net.yml")
    assert not files.search(".github/workflows/ci.yml") and not files.search(".pre-commit-config.yaml")


def test_the_hook_entry_on_file_names_as_pre_commit_passes_them(cli: Callable[..., Result]) -> None:
    (hook,) = hooks()
    command = hook["entry"].split()[1:]  # pre-commit appends the staged file names to the entry
    names = [str(p) for p in sorted((ROOT / "specs").glob("*.yaml"))]
    assert cli(*command, *names).exit_code == 0


def test_the_readme_pre_commit_and_workflow_snippets(cli: Callable[..., Result], tmp_path: Path) -> None:
    configs = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("repos:")]
    assert [c["repos"][0]["hooks"][0]["id"] for c in configs] == ["cnncalc-check", "cnncalc-check"]
    assert configs[1]["repos"][0]["hooks"][0]["entry"] == hooks()[0]["entry"]
    (workflow,) = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("name: model specs")]
    run = workflow["jobs"]["check"]["steps"][-1]["run"]
    assert run == "cnncalc check --format github models/"
    models = tmp_path / "models"
    models.mkdir()
    (models / "net.yaml").write_text(cnncalc.preset_text("seed-example"))
    result = cli(*run.split()[1:-1], str(models))
    assert result.exit_code == 0 and result.stdout.endswith("1 passed, 0 failed\n")
