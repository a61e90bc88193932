"""docs/ci.md's recipes work as written: the checks example, the schema example, the pre-commit hook
(through a real ``pre-commit run`` against a local clone of this repository) and the GitHub Actions
workflow's run steps (as shell, in a fresh virtual environment)."""

from __future__ import annotations

import os
import re
import shutil
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

CI_PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
LANGUAGE_PAGE = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
# the placeholders docs/ci.md asks the user to fill in
CLONE_URL = "<URL or path of your cnncalc clone>"
PINNED_SHA = "<full commit SHA of cnncalc>"
PIP_URL = "<URL of your cnncalc clone>"
PIP_SHA = "<full commit SHA>"


def blocks(language: str, page: str = CI_PAGE) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", page, flags=re.DOTALL | re.MULTILINE)


def test_the_checks_example_holds_for_googlenet(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    (checks,) = [b for b in blocks("yaml") if b.startswith("checks:")]
    result = cli("check", str(spec_file(cnncalc.preset_text("googlenet") + checks)), "-f", "json")
    assert result.exit_code == 0, result


def test_the_editor_example_is_a_valid_spec() -> None:
    import jsonschema

    (text,) = [b for b in blocks("yaml", LANGUAGE_PAGE) if b.startswith("# yaml-language-server: $schema=")]
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


def snippets() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """docs/ci.md's pinned pre-commit config, its local one, and the GitHub Actions workflow."""
    pinned, local = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("repos:")]
    (workflow,) = [yaml.safe_load(b) for b in blocks("yaml") if b.startswith("name: model specs")]
    return pinned, local, workflow


def test_the_snippets_name_no_package_or_tag_that_does_not_exist(cli: Callable[..., Result], tmp_path: Path) -> None:
    pinned, local, workflow = snippets()
    assert "pip install cnncalc" not in CI_PAGE + README  # cnncalc is not published on a package index
    assert pinned["repos"][0] == {
        "repo": CLONE_URL,
        "rev": PINNED_SHA,
        "hooks": [{"id": "cnncalc-check", "files": r"^models/.*\.ya?ml$"}],
    }
    assert local["repos"][0]["repo"] == "local"
    assert local["repos"][0]["hooks"][0]["entry"] == hooks()[0]["entry"]
    assert workflow["jobs"]["check"]["env"]["CNNCALC"] == f"git+{PIP_URL}@{PIP_SHA}"
    run = workflow["jobs"]["check"]["steps"][-1]["run"]
    assert run == "cnncalc check --format github models/"
    models = tmp_path / "models"
    models.mkdir()
    (models / "net.yaml").write_text(cnncalc.preset_text("seed-example"))
    result = cli(*run.split()[1:-1], str(models))
    assert result.exit_code == 0 and result.stdout.endswith("1 passed, 0 failed\n")


def git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=cnncalc tests", "-c", "user.email=tests@cnncalc.invalid", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A local Git repository holding this checkout's files as one commit (uncommitted edits included),
    standing in for the user's clone of cnncalc; returns its path and the commit's SHA."""
    path = tmp_path_factory.mktemp("cnncalc-clone")
    for name in git("ls-files", "--cached", "--others", "--exclude-standard", cwd=ROOT).splitlines():
        source = ROOT / name
        if source.is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, path / name)
    git("init", "-q", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "cnncalc as checked out", cwd=path)
    return path, git("rev-parse", "HEAD", cwd=path)


def user_repo(root: Path, config: dict[str, Any]) -> Path:
    """A user's repository with one spec under models/ and the given .pre-commit-config.yaml."""
    repo = root / "user"
    (repo / "models").mkdir(parents=True)
    (repo / "models" / "net.yaml").write_text(cnncalc.preset_text("seed-example"), encoding="utf-8")
    (repo / "notes.yaml").write_text("not: a spec\n", encoding="utf-8")  # outside `files`: never checked
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    return repo


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_HOME": str(home)}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="200")
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False)


def need_pre_commit() -> None:
    """pre-commit is in the `test` extra: skip without it, fail without it in CI."""
    if not os.environ.get("CI"):
        pytest.importorskip("pre_commit", reason="pre-commit is in the `test` extra")


def over_budget(repo: Path) -> None:
    spec = repo / "models" / "net.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "checks:\n  max_params: 50K\n", encoding="utf-8")
    git("add", "-A", cwd=repo)


@pytest.mark.parametrize("kind", ["pinned", "local"])
def test_the_pre_commit_snippet_runs(kind: str, clone: tuple[Path, str], tmp_path: Path) -> None:
    """The pinned config, its placeholders filled with a local clone and its SHA, installs the hook from
    that commit; the local one uses the cnncalc installed here. Both pass a good spec and fail one over
    its budget (the seed example has 51,584 parameters)."""
    need_pre_commit()
    pinned, local, _ = snippets()
    config = local
    if kind == "pinned":
        path, sha = clone
        text = yaml.safe_dump(pinned).replace(CLONE_URL, str(path)).replace(PINNED_SHA, sha)
        config = yaml.safe_load(text)
    repo = user_repo(tmp_path, config)
    passed = pre_commit(repo, tmp_path / "pre-commit-home")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^cnncalc check\.+Passed$", passed.stdout, flags=re.M), passed.stdout
    over_budget(repo)
    failed = pre_commit(repo, tmp_path / "pre-commit-home")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "params 51,584 exceed max_params 50K (50,000)" in failed.stdout


def test_the_github_workflow_run_steps(clone: tuple[Path, str], tmp_path: Path) -> None:
    """The workflow's run steps, as the runner would run them with CNNCALC filled in (the local clone at
    its SHA), in a fresh virtual environment; then the README's wheel recipe in the same environment."""
    _, _, workflow = snippets()
    path, sha = clone
    job = workflow["jobs"]["check"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env["CNNCALC"] = job["env"]["CNNCALC"].replace(PIP_URL, f"file://{path}").replace(PIP_SHA, sha)
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="200", PIP_DISABLE_PIP_VERSION_CHECK="1")
    repo = user_repo(tmp_path, {"repos": []})

    def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )

    steps = [step["run"] for step in job["steps"] if "run" in step]
    assert steps == ['pip install "$CNNCALC"', "cnncalc check --format github models/"]
    for step in steps:
        result = run(step, repo)
        assert result.returncode == 0, f"{step}\n{result.stdout}{result.stderr}"
    assert result.stdout.endswith("1 passed, 0 failed\n")
    assert (venv / "bin" / "cnncalc").exists()  # the check ran the cnncalc installed from the clone
    over_budget(repo)
    failed = run(steps[-1], repo)
    assert failed.returncode == 1
    assert failed.stdout.startswith("::error file=models/net.yaml,line=")

    (wheel,) = re.findall(r"`(pip wheel \. [^`]*)`", README)
    assert wheel == "pip wheel . --no-deps -w dist && pip install dist/cnncalc-*.whl"
    result = run(wheel.replace("pip install", "pip install --force-reinstall --no-deps"), path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run("cnncalc check models/", repo).returncode == 1  # the wheel's cnncalc, still over budget
