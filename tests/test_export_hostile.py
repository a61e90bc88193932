"""`cnncalc export --to pytorch` with hostile spec text: the generated module cannot be hijacked (issue 13).

Every piece of spec text reaching the file (names, descriptions, sources, the origin, side-output names)
must come out as a string literal, an escaped docstring or a comment; never as code. Two checks:

- structure: the module's syntax tree, with every string constant blanked, is the same as the export of
  the same network with plain text — so the hostile text added no statement, call or name;
- round trip: each hostile layer name is a string constant of the tree exactly as written (quotes,
  backslashes and emoji intact, not JSON's surrogate pairs), and the docstring holds the description.

Importing the module (with torch) then must run nothing but its own code: no file appears, nothing is
printed, and the module's globals are exactly the ones a plain export defines.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.export.pytorch import to_pytorch
from cnncalc.spec import Spec

from .torch_support import need

# Payloads from the issue and their relatives: every kind of quote, backslashes (`\U`, `\N{`, a trailing
# one), line breaks of every kind, control characters (NUL excepted: no text file holds it), non-BMP.
PAYLOAD = (
    'x"""\nimport os; os.system("echo PWNED > pwned.txt")\n_ = \'\'\'\n\'\'\'\nopen(\'pwned.txt\', \'w\')\n""" \\""" \\'
)
TEXTS = [
    PAYLOAD,
    r"C:\Users\bob\nets \N{BULLET} \x41 \u0041 \\",
    "\r\n\t\x0b\x0c\x1b[2J\x1b]0;title\x07\x7f\x85\u2028\u2029\u202e end",
    "😀 𝔘 \U000e0001 中文 é",
    '"',
    "\\",
    "'",
]
# Layer names may hold no whitespace, control character, '/' or leading '$' (refused at load time).
NAMES = ['x"""', "'''", "\\U", "\\", '"', "c'", "😀", "𝔘𝔫𝔦", "{0}", "#c", "a.b"]


def network(names: list[str], *, name: str = "net", description: str = "d", source: str = "s") -> Spec:
    layers: list[Any] = [{"conv": {"filters": 2, "kernel": 1, "name": n}} for n in names]
    layers.append({"side": {"name": names[0] + "side", "layers": [{"relu": {"name": names[-1]}}]}})
    return cnncalc.from_dict(
        {"name": name, "description": description, "source": source, "input": [1, 4, 4], "layers": layers}
    )


def hostile(text: str, names: list[str]) -> Spec:
    """The network with ``text`` in every free-text field; the loader refuses control characters in the
    name, so it is set directly: the exporter must be safe on its own."""
    return dataclasses.replace(network(names), name=text, description=text, source=text)


def blanked(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def plain_names(count: int) -> list[str]:
    return [f"n{i}" for i in range(count)]


@pytest.mark.parametrize("text", TEXTS, ids=[f"text{i}" for i in range(len(TEXTS))])
def test_hostile_text_is_only_ever_a_string(text: str) -> None:
    export = to_pytorch(hostile(text, NAMES), origin=text)
    tree = ast.parse(export.text)
    plain = to_pytorch(network(plain_names(len(NAMES)), name=export.class_name), origin="o")
    assert blanked(tree) == blanked(ast.parse(plain.text))
    strings = {n.value for n in ast.walk(ast.parse(export.text)) if isinstance(n, ast.Constant)}
    assert set(NAMES) - {"a.b"} | {"a_b"} <= strings
    docstring = ast.get_docstring(ast.parse(export.text), clean=False) or ""
    assert " ".join(text.split()) in docstring


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
    names=st.lists(
        st.text(
            st.characters(
                blacklist_categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"], blacklist_characters="/$."
            ),
            min_size=1,
            max_size=8,
        ),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_any_text_exports_to_the_same_code(text: str, names: list[str]) -> None:
    export = to_pytorch(hostile(text, names), origin=text)
    plain = to_pytorch(network(plain_names(len(names)), name=export.class_name), origin="o")
    assert blanked(ast.parse(export.text)) == blanked(ast.parse(plain.text))


def test_importing_a_hostile_export_runs_only_its_own_code(tmp_path: Path) -> None:
    need("torch")
    export = to_pytorch(hostile(PAYLOAD, NAMES), origin=PAYLOAD)
    plain = to_pytorch(network(plain_names(len(NAMES)), name=export.class_name))
    (tmp_path / "hostile.py").write_text(export.text, encoding="utf-8")
    (tmp_path / "plain.py").write_text(plain.text, encoding="utf-8")
    probe = (
        "import hostile, plain\n"
        "assert sorted(vars(hostile)) == sorted(vars(plain)), sorted(set(vars(hostile)) ^ set(vars(plain)))\n"
        f"model = hostile.{export.class_name}()\n"
        f"for name in {sorted(export.module_names.values())!r}:\n"
        "    model.get_submodule(name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == ["hostile.py", "plain.py"]
