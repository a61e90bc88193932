"""The README's and docs/'s examples are true: every command runs, shown output matches, the Python
examples print what their comments say, every relative link resolves, the generated layer reference is
up to date, and CI runs exactly the README's test command."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnncalc.layer_docs import REGENERATE, layers_markdown

from .conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
SAVE_AS = re.compile(r"# save as (\S+)\n")
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "CNNCALC_DEBUG": ""}
# cnncalc's own commands; installs and developer commands (pip, pytest, generators) are not examples to run
RUNNABLE = ("cnncalc ", "python -m cnncalc ")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [Block(page, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


BLOCKS = [block for page in PAGES for block in _blocks(page)]


@dataclass(frozen=True)
class Step:
    command: str
    shown: list[str]  # the lines shown under the command, up to the next command


def _steps(block: Block) -> list[Step]:
    steps: list[Step] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:].split("  #")[0].strip(), []))
        elif steps:
            steps[-1].shown.append(line)
    return [step for step in steps if step.command.startswith(RUNNABLE)]


def _console_blocks() -> list[Block]:
    return [b for b in BLOCKS if b.lang == "console" and _steps(b)]


def _transcripts() -> list[Block]:
    """``text`` blocks that start with ``$ cnncalc``: transcripts of this repository, failures included."""
    return [b for b in BLOCKS if b.lang == "text" and b.body.startswith("$ ") and _steps(b)]


def _saved_files() -> dict[str, str]:
    """The ``yaml`` blocks whose first line is ``# save as NAME``: files the examples use."""
    files: dict[str, str] = {}
    for block in BLOCKS:
        name = SAVE_AS.match(block.body)
        if block.lang == "yaml" and name:
            assert name.group(1) not in files, f"{block.where}: {name.group(1)} is saved twice"
            files[name.group(1)] = block.body
    return files


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the files the pages save (net.yaml, tiny.yaml, …) and a copy of specs/."""
    path = tmp_path_factory.mktemp("readme")
    for name, text in _saved_files().items():
        (path / name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "specs", path / "specs")  # examples may name the repository's example specs
    return path


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    bindir = Path(sys.executable).parent
    env = {**ENV, "PATH": f"{bindir}{os.pathsep}{ENV.get('PATH', '')}"}
    command = command.replace("python -m", f"{shlex.quote(sys.executable)} -m")
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_pages_save_the_files_their_examples_use() -> None:
    assert {"net.yaml", "tiny.yaml", "bad.yaml"} <= set(_saved_files())


@pytest.mark.parametrize("block", _console_blocks(), ids=lambda b: b.where)
def test_console_example(block: Block, workdir: Path) -> None:
    """Every command runs and exits 0; the output shown under it is exactly what it prints, or, in a
    block with a ``...`` line, each shown line is printed."""
    partial = "..." in block.body.splitlines()
    for step in _steps(block):
        result = _run(step.command, workdir)
        assert result.returncode == 0, f"{block.where}: {step.command}\n{result.stderr}"
        actual = [line.rstrip() for line in result.stdout.splitlines()]
        if partial:
            missing = [line for line in step.shown if line != "..." and line.rstrip() not in actual]
            assert not missing, f"{block.where}: {step.command} does not print {missing}"
        elif step.shown:
            assert actual == step.shown, f"{block.where}: {step.command}"
        elif ">" in step.command:  # the output went to a file
            target = workdir / step.command.rsplit(">", 1)[1].strip()
            assert target.read_text(), f"{block.where}: {step.command}"
        else:
            assert result.stdout, f"{block.where}: {step.command}"


def test_the_pages_have_complete_examples() -> None:
    complete = [b for b in _console_blocks() if "..." not in b.body.splitlines() and any(s.shown for s in _steps(b))]
    assert len(complete) >= 8


@pytest.mark.parametrize("block", _transcripts(), ids=lambda b: b.where)
def test_transcript(block: Block, workdir: Path) -> None:
    """Standard output and error together are exactly what the transcript shows, whatever the exit code."""
    for step in _steps(block):
        result = _run(step.command, workdir)
        shown = "".join(line + "\n" for line in step.shown)
        assert result.stdout + result.stderr == shown, f"{block.where}: {step.command}"


def test_first_example_output_matches() -> None:
    block = BLOCKS[0]
    lines = block.body.splitlines()
    assert block.page.name == "README.md" and block.lang == "console"
    assert lines[0] == "$ cnncalc preset seed-example"
    shown = lines[1 : lines.index("...")]
    actual = [line.rstrip() for line in _run("cnncalc preset seed-example", ROOT).stdout.splitlines()]
    for line in shown:
        assert line.rstrip() in actual


def _python_pages() -> list[Path]:
    return [page for page in PAGES if any(b.lang == "python" for b in _blocks(page))]


@pytest.mark.parametrize("page", _python_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_print_what_they_say(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's Python blocks run in order, and each print() prints what its comment begins with."""
    code = "\n".join(b.body for b in _blocks(page) if b.lang == "python")
    expected = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    printed: list[str] = []
    monkeypatch.chdir(ROOT)
    exec(compile(code, str(page), "exec"), {"print": lambda *args: printed.append(" ".join(map(str, args)))})
    assert len(printed) == len(expected) >= 3
    for out, comment in zip(printed, expected, strict=True):
        assert comment.startswith(out), (out, comment)


def test_ci_runs_the_readme_test_command() -> None:
    start = README.index("\n## Set-up\n")
    setup = README[start : README.index("\n## ", start + 1)]
    commands = [line[2:] for _, body in BLOCK.findall(setup) for line in body.splitlines() if line.startswith("$ ")]
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install -e . && cnncalc preset alexnet",
        "pip install -e '.[test]' && pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\n" + commands[2] + "\n" in ci


def test_the_readme_is_a_front_door() -> None:
    """At most ~250 lines, and it links to the reference."""
    assert len(README.splitlines()) <= 250
    assert "(docs/README.md)" in README


def test_the_layer_reference_is_generated_from_the_registry() -> None:
    committed = (ROOT / "docs" / "layers.md").read_text(encoding="utf-8")
    assert committed == layers_markdown(), f"docs/layers.md is out of date: run `{REGENERATE}`"


def test_the_regenerate_command_writes_the_page(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    result = _run(REGENERATE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "docs" / "layers.md").read_text(encoding="utf-8") == layers_markdown()


def test_every_layer_kind_and_argument_is_documented() -> None:
    from cnncalc.layers import MERGES, REGISTRY

    reference = (ROOT / "docs" / "layers.md").read_text(encoding="utf-8")
    language = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
    for kind, cls in REGISTRY.items():
        assert f"## `{kind}`" in reference, kind
        assert f"`{kind}`" in language, kind
        for name, _, _ in cls.arg_infos():
            assert f"| `{name}` |" in reference, f"{kind}.{name}"
        for alias in cls.aliases:
            assert f"`{alias}`" in reference, alias
    for merge in MERGES:
        assert f"### `{merge}`" in reference, merge


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -."""
    text = BLOCK.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#+ (.+)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def _links() -> list[tuple[Path, str]]:
    found = []
    for page in PAGES:
        text = BLOCK.sub("", page.read_text(encoding="utf-8"))
        found += [(page, target) for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]
    return found


def test_the_pages_link_to_each_other() -> None:
    assert len(_links()) >= 30


@pytest.mark.parametrize(("page", "target"), _links(), ids=lambda v: str(v.name) if isinstance(v, Path) else v)
def test_relative_link_resolves(page: Path, target: str) -> None:
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.exists(), f"{page.relative_to(ROOT)}: {target} names no file"
    if anchor:
        assert file.suffix == ".md" and anchor in _anchors(file), f"{page.relative_to(ROOT)}: no heading #{anchor}"
