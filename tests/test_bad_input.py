"""The bad-input catalogue: every way a spec file, its YAML, its meaning or a command line can be wrong.

Each case must end in a clear message and exit code 2 — never a traceback — and, when the fault is in
the file, name it as ``file:line:col``, show the line with a caret under the value at fault and say how to
fix it. YAML cases run with both of PyYAML's parsers (libyaml's C parser, used when present, and the
pure-Python one), since they differ in messages and in how they recurse.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

import cnncalc
from cnncalc import loader, yaml_source
from cnncalc.args import MAX_SIZE
from cnncalc.errors import SpecError
from cnncalc.expansion import check_expansion
from cnncalc.spec import MAX_LAYERS, _Parser

from .conftest import ROOT, Result

Cli = Callable[..., Result]
SpecFile = Callable[..., Path]
HEAD = "name: t\ninput: [3, 8, 8]\n"  # lines 1 and 2; `layers:` is line 3


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with libyaml's C parser and with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(yaml_source, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yaml_source, "_Loader", yaml.SafeLoader)
    yield request.param


def clean_error(result: Result) -> str:
    """The stderr of a run that must have failed cleanly: exit 2, an ``error:`` line, no traceback."""
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result
    assert result.stderr.startswith("error: "), result
    return result.stderr


def caret_under(stderr: str, text: str) -> None:
    """The quoted spec line is followed by carets exactly under ``text``."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines[:-1]):
        if " | " in line and text in line and "^" in lines[i + 1]:
            carets = lines[i + 1]
            column = carets.index("^")
            assert line[column : column + len(text)] == text, stderr
            assert carets.count("^") == len(text), stderr
            return
    raise AssertionError(f"no caret under {text!r}:\n{stderr}")


# ---------------------------------------------------------------------------------------------- files


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    err = clean_error(cli("summarize", str(tmp_path / "nope.yaml")))
    assert "nope.yaml: no such file" in err and "hint:" in err


def test_directory(cli: Cli, tmp_path: Path) -> None:
    assert "is a directory, not a spec file" in clean_error(cli("summarize", str(tmp_path)))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file: chmod 000 is moot")
def test_unreadable_file(cli: Cli, spec_file: SpecFile) -> None:
    path = spec_file(HEAD + "layers: [relu]\n")
    path.chmod(0)
    assert "permission denied" in clean_error(cli("summarize", str(path)))


def test_unreadable_file_simulated(cli: Cli, spec_file: SpecFile, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path as above for a root user (for whom chmod 000 does not prevent reading)."""
    path = spec_file(HEAD + "layers: [relu]\n")

    def refuse(file: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(loader, "open", refuse, raising=False)  # the loader's open(), not the tests'
    err = clean_error(cli("summarize", str(path)))
    assert "net.yaml: permission denied: the file cannot be read" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \n\n\t\n", "is empty", id="whitespace"),
        pytest.param(b"# just a comment\n", "has no YAML document", id="only-comments"),
        pytest.param(b"name: caf\xe9\n", "is not UTF-8 text (byte 0xe9 at offset 9)", id="latin-1"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file, not YAML text", id="binary"),
    ],
)
def test_unreadable_content(cli: Cli, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "net.yaml"
    path.write_bytes(content)
    assert message in clean_error(cli("summarize", str(path)))


def test_huge_file_is_refused_before_reading(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(loader.MAX_BYTES + 1)  # sparse: costs no disk, and nothing is read
    err = clean_error(cli("summarize", str(path)))
    assert f"is {loader.MAX_BYTES + 1:,} bytes; cnncalc reads spec files up to {loader.MAX_BYTES:,} bytes" in err


def test_huge_stdin_is_cut_at_the_limit(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    err = clean_error(cli("summarize", "-", input=HEAD + "layers:\n" + "  - relu\n" * 20))
    assert "<stdin>: is longer; cnncalc reads spec files up to 100 bytes" in err


def test_stdin_is_read(cli: Cli) -> None:
    result = cli("summarize", "-", "-f", "json", input=HEAD + "layers: [relu]\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["output_shape"] == [3, 8, 8]


def test_empty_stdin(cli: Cli) -> None:
    assert "<stdin>: is empty" in clean_error(cli("summarize", "-", input=""))


def test_closed_stdin() -> None:
    """``cnncalc summarize - <&-``: the process starts without a file descriptor 0."""
    run = subprocess.run(
        ["sh", "-c", '"$0" -m cnncalc summarize - <&-', sys.executable],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2, run
    assert run.stderr.startswith("error: standard input is closed"), run.stderr


def test_stdin_closed_after_start() -> None:
    code = "import os; os.close(0); from cnncalc.cli import main; main()"
    run = subprocess.run([sys.executable, "-c", code, "summarize", "-"], capture_output=True, text=True, check=False)
    assert run.returncode == 2, run
    assert "cannot read standard input" in run.stderr or "standard input is closed" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


# ----------------------------------------------------------------------------------------------- YAML

YAML_CASES = [
    # (id, text, message pattern, line:col or None for no position, text under the caret or None)
    pytest.param(
        HEAD + "layers: [relu\n",
        r"invalid YAML: (did not find expected|expected) ',' or ']'",
        "3:14",
        None,
        id="unclosed-flow-list",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 8 kernel: 3}\n",
        r"invalid YAML",
        "4:",
        None,
        id="missing-comma",
    ),
    pytest.param(
        HEAD + "layers:\n  - relu\n - relu\n",
        r"invalid YAML: (did not find expected key|expected <block end>, but found)"
        r"[\s\S]*hint: check this line's indentation",
        "5:2",
        None,
        id="bad-indentation",
    ),
    pytest.param(
        HEAD + "layers:\n\t- relu\n",
        r"invalid YAML: found character .*that cannot start any token[\s\S]*hint: YAML does not allow tabs",
        "4:1",
        None,
        id="tab-indentation",
    ),
    pytest.param(
        "name: a\nname: b\ninput: [3, 8, 8]\nlayers: [relu]\n",
        r"duplicate key 'name' \(first at line 1\)",
        "2:1",
        "name",
        id="duplicate-top-key",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 8, kernel: 3, filters: 16}\n",
        r"duplicate key 'filters' \(first at line 4\)",
        "4:35",
        "filters",
        id="duplicate-argument",
    ),
    pytest.param(
        "- relu\n- relu\n", r"a spec is a mapping with name, input and layers, got a list", "1:1", None, id="top-list"
    ),
    pytest.param("just text\n", r"a spec is a mapping .*, got text", "1:1", None, id="top-scalar"),
    pytest.param("~\n", r"a spec is a mapping .*, got null", "1:1", None, id="top-null"),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 8, kernel: 3, bias: no}\n",
        r"bias: no is ambiguous: YAML 1.1 \(PyYAML\) reads it as false, YAML 1.2 as text"
        r"[\s\S]*hint: write true or false",
        "4:41",
        "no",
        id="yaml11-no",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 8, kernel: 3, bias: on}\n",
        r"bias: on is ambiguous: YAML 1.1 \(PyYAML\) reads it as true",
        "4:41",
        "on",
        id="yaml11-on",
    ),
    pytest.param(
        "name: yes\ninput: [3, 8, 8]\nlayers: [relu]\n",
        r"name: yes is ambiguous[\s\S]*hint: quote it to mean text",
        "1:7",
        "yes",
        id="yaml11-yes-as-name",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 1e3, kernel: 3}\n",
        r"filters: expected a whole number, got 1000\.0[\s\S]*hint: write 1000 without a fraction or exponent",
        "4:21",
        "1e3",
        id="yaml11-1e3-is-a-number",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 010, kernel: 3}\n",
        r"filters: 010 is ambiguous: YAML 1\.1 \(PyYAML\) reads it as octal 8, YAML 1\.2 as decimal 10",
        "4:21",
        "010",
        id="yaml11-octal",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 1:30, kernel: 3}\n",
        r"filters: 1:30 is ambiguous: YAML 1\.1 reads it as the base-60 number 90",
        "4:21",
        "1:30",
        id="yaml11-sexagesimal",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: 8, kernel: 3}\n---\nname: other\n",
        r"contains more than one YAML document[\s\S]*hint: keep one spec per file",
        "5:1",
        None,
        id="two-documents",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: *width, kernel: 3}\n",
        r"the alias \*width names no anchor",
        "4:21",
        None,
        id="undefined-alias",
    ),
    pytest.param(
        HEAD + "layers: &l [relu, {repeat: {times: 2, layers: *l}}]\n",
        r"the alias \*l is inside the value it names \(a recursive structure\)",
        "3:47",
        None,
        id="recursive-alias",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: !!python/object:os.system {filters: 8}\n",
        r"unsupported YAML tag tag:yaml\.org,2002:python/object:os\.system",
        "4:11",
        None,
        id="python-tag",
    ),
    pytest.param(
        HEAD + "layers:\n  - conv: {filters: !int 8, kernel: 3}\n",
        r"unsupported YAML tag !int",
        "4:21",
        None,
        id="custom-tag",
    ),
    pytest.param(
        "name: t\x07te\ninput: [3, 8, 8]\nlayers: [relu]\n",
        r"invalid YAML: the character U\+0007 is not allowed[\s\S]*\n    1 \| name: t\ufffdte\n[\s\S]*hint: remove it",
        "1:8",
        None,
        id="control-character",
    ),
    pytest.param(
        HEAD + "layers:\n  - ? [conv]\n    : {filters: 8}\n",
        r"a mapping key must be a plain name, not a list or mapping",
        "4:7",
        None,
        id="list-as-key",
    ),
    # issue 13: Python refuses ints of more than 4,300 digits (exit 3), anywhere a number goes
    *[
        pytest.param(
            HEAD + text,
            r"(999999999999|0xffffffffff)… \(5,000 digits\) is too large: sizes are at most 2,147,483,647",
            position,
            None,
            id=f"huge-integer-{where}",
        )
        for where, text, position in [
            ("size", f"layers: [conv: {{filters: {'9' * 5000}, kernel: 3}}]\n", "3:26"),
            ("hex", f"layers: [conv: {{filters: 0x{'f' * 5000}, kernel: 3}}]\n", "3:26"),
            ("times", f"layers: [repeat: {{times: {'9' * 5000}, layers: [relu]}}]\n", "3:26"),
            ("checks", f"layers: [relu]\nchecks: {{max_params: {'9' * 5000}}}\n", "4:22"),
        ]
    ],
    # issue 13: explicit tags with content they cannot hold (exit 3)
    pytest.param(
        HEAD + "layers: [conv: {filters: !!int 'abc', kernel: 3}]\n",
        r"'abc' is not a valid !!int[\s\S]*hint: remove the !!int tag",
        "3:26",
        "!!int 'abc'",
        id="tag-int",
    ),
    pytest.param(
        HEAD + "layers: [bn: {affine: !!bool 'maybe'}]\n",
        r"'maybe' is not a valid !!bool",
        "3:23",
        "!!bool 'maybe'",
        id="tag-bool",
    ),
    pytest.param(
        HEAD + "layers: [dropout: {rate: !!float 'x'}]\n", r"'x' is not a valid !!float", "3:26", None, id="tag-float"
    ),
    # issue 13: numbers only to YAML 1.1 (PyYAML), text to YAML 1.2, like 010 and 1:30 already
    pytest.param(
        HEAD + "layers: [conv: {filters: 0b11, kernel: 3}]\n",
        r"0b11 is ambiguous: YAML 1.1 \(PyYAML\) reads it as the number 3, YAML 1.2 as text[\s\S]*hint: write 3",
        "3:26",
        "0b11",
        id="yaml11-binary",
    ),
    pytest.param(
        HEAD + "layers: [conv: {filters: 4_, kernel: 3}]\n",
        r"4_ is ambiguous: YAML 1.1 \(PyYAML\) reads it as the number 4",
        "3:26",
        "4_",
        id="yaml11-trailing-underscore",
    ),
    pytest.param(
        HEAD + "layers: [dropout: {rate: 0.1_0}]\n",
        r"0\.1_0 is ambiguous: YAML 1.1 \(PyYAML\) reads it as the number 0\.1",
        "3:26",
        "0.1_0",
        id="yaml11-float-underscore",
    ),
]


@pytest.mark.parametrize(("text", "pattern", "position", "under"), YAML_CASES)
def test_yaml_errors(
    cli: Cli, spec_file: SpecFile, parser: str, text: str, pattern: str, position: str | None, under: str | None
) -> None:
    err = clean_error(cli("summarize", str(spec_file(text))))
    assert re.search(pattern, err), err
    if position is not None:
        assert re.search(rf"net\.yaml:{position}", err.splitlines()[0]), err
        assert re.search(r"^\s+\d+ \| ", err, re.MULTILINE), err  # the line is quoted
    if under is not None:
        caret_under(err, under)


def test_anchors_aliases_and_merge_keys_work(cli: Cli, spec_file: SpecFile, parser: str) -> None:
    text = HEAD + (
        "layers:\n"
        "  - conv: &c3 {filters: 8, kernel: 3, padding: 1}\n"
        "  - relu\n"
        "  - conv: {<<: *c3, filters: 16}\n"  # the merge key copies kernel and padding, filters overrides
        "  - repeat: {times: 2, layers: &pair [conv: *c3, relu]}\n"
        "  - repeat: {times: 1, layers: *pair}\n"
        "  - conv: {filters: 4, kernel: 1, bias: false, alpha_note: 1e-4}\n"
    )
    err = clean_error(cli("summarize", str(spec_file(text))))  # the last line is wrong on purpose: …
    assert "conv3: conv has no argument 'alpha_note'" in err  # … so everything before it was accepted
    result = cli("summarize", str(spec_file(text.replace(", alpha_note: 1e-4", ""))), "-f", "json")
    assert result.exit_code == 0, result
    layers = json.loads(result.stdout)["layers"]
    # conv1 3→8, conv2 8→16 (3×3, pad 1 merged in), the repeat's convs 16→8 and 8→8, then 8→8, then 1×1 8→4
    assert [row["params"] for row in layers if row["type"] == "conv"] == [
        3 * 3 * 3 * 8 + 8,
        3 * 3 * 8 * 16 + 16,
        3 * 3 * 16 * 8 + 8,
        3 * 3 * 8 * 8 + 8,
        3 * 3 * 8 * 8 + 8,
        1 * 1 * 8 * 4,
    ]


def test_yaml12_exponent_is_a_number(cli: Cli, spec_file: SpecFile, parser: str) -> None:
    text = HEAD + "layers:\n  - lrn: {size: 5, alpha: 1e-4, beta: 0.75}\n"
    result = cli("summarize", str(spec_file(text)), "-f", "json")
    assert result.exit_code == 0, result
    assert "α=0.0001" in json.loads(result.stdout)["layers"][0]["details"]


def deep_flow(depth: int) -> str:
    return HEAD + "layers: " + "[" * depth + "]" * depth + "\n"


def deep_block(depth: int) -> str:
    return HEAD + "layers:\n" + "".join("  " * (i + 1) + "-\n" for i in range(depth))


def deep_mapping(depth: int) -> str:
    return HEAD + "layers: [relu]\nblocks: " + "{a: " * depth + "1" + "}" * depth + "\n"


def alias_chain(length: int) -> str:
    """Each anchor nests the previous one a level deeper: little text, deep data."""
    lines = ["name: t", "input: [3, 8, 8]", "layers: [relu]", "description:", "  - &a0 [x]"]
    lines += [f"  - &a{i} [*a{i - 1}]" for i in range(1, length)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(deep_flow(65), id="flow-65"),
        pytest.param(deep_flow(10_000), id="flow-10k"),
        pytest.param(deep_flow(200_000), id="flow-200k"),
        pytest.param(deep_block(65), id="block-65"),
        pytest.param(deep_block(3_000), id="block-3k"),
        pytest.param(deep_mapping(5_000), id="mapping-5k"),
        pytest.param(alias_chain(100), id="alias-chain"),
    ],
)
def test_deep_nesting_is_refused_with_a_position(cli: Cli, spec_file: SpecFile, parser: str, text: str) -> None:
    err = clean_error(cli("summarize", str(spec_file(text))))
    # ours (64 levels), or libyaml's own limit (1000 levels), which it can meet while scanning ahead
    assert re.search(r"nests more than 64 levels deep|exceeded maximum nesting depth", err), err
    assert re.match(r"error: \S*net\.yaml:\d+:\d+: ", err), err
    assert "RecursionError" not in err


def test_nesting_up_to_the_limit_is_read(parser: str) -> None:
    data, _ = loader.parse_yaml("a: " + "[" * 63 + "]" * 63 + "\n", "net.yaml")  # the mapping + 63 lists
    depth, value = 0, data["a"]
    while value:
        value, depth = value[0], depth + 1
    assert depth == 62


def billion_laughs(levels: int) -> str:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def repeat_bomb(levels: int) -> str:
    """10**levels layers: each anchored list repeats the previous one ten times."""
    lines = [HEAD.rstrip("\n"), "layers:", "  - repeat: {times: 1, layers: &l0 [" + ", ".join(["relu"] * 10) + "]}"]
    for i in range(1, levels):
        inner = ", ".join([f"{{repeat: {{times: 1, layers: *l{i - 1}}}}}"] * 10)
        lines.append(f"  - repeat: {{times: 1, layers: &l{i} [{inner}]}}")
    return "\n".join(lines) + "\n"


def block_bomb(levels: int) -> str:
    lines = [HEAD.rstrip("\n"), "blocks:", "  b0: {layers: [" + ", ".join(["relu"] * 10) + "]}"]
    lines += [f"  b{i}: {{layers: [" + ", ".join([f"b{i - 1}"] * 10) + "]}" for i in range(1, levels)]
    return "\n".join(lines) + f"\nlayers: [b{levels - 1}]\n"


def kernel_bomb(levels: int) -> str:
    """A per-axis argument that is a list of lists … 10**levels leaves deep, inside a block."""
    lines = [HEAD.rstrip("\n"), "blocks:", "  c:", "    params: [w]", "    layers:"]
    lines.append("      - conv: {filters: $w, kernel: &k0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}")
    lines += [
        f"      - conv: {{filters: $w, kernel: &k{i} [" + ", ".join([f"*k{i - 1}"] * 10) + "]}"
        for i in range(1, levels)
    ]
    return "\n".join(lines) + "\nlayers: [c: {w: 3}]\n"


@pytest.mark.parametrize(
    ("text", "pattern", "position"),
    [
        # the classic: 10**9 "lol"s, never used by the spec
        pytest.param(billion_laughs(10), r"unknown top-level key 'lol0'", "1:1", id="billion-laughs-unused"),
        pytest.param(
            HEAD
            + billion_laughs(10).replace("lol0:", "layers: [relu]\ndescription:\n  lol0:").replace("\nlol", "\n  lol"),
            r"description: expected text, got \{'lol0'",
            "5:3",
            id="billion-laughs-in-a-value",
        ),
        pytest.param(
            repeat_bomb(10),
            r"the spec expands to more than 100,000 layers: this repeat passes the limit",
            r"\d+:\d+",
            id="repeat-alias-bomb",
        ),
        pytest.param(
            block_bomb(10),
            # b(k) expands to 10**(k+1) relus: b4's tenth use of b3 (column 53) brings the count to the limit
            r"the spec expands to more than 100,000 layers: this use of block 'b3' passes the limit",
            "8:53",
            id="block-bomb",
        ),
        pytest.param(
            kernel_bomb(9),
            r"c1/conv2: kernel: item 1: expected a whole number, got \[1, 1, 1, 1, 1, 1, …\] \(a list\)",
            "8:37",
            id="argument-bomb",
        ),
    ],
)
def test_bombs_are_refused_quickly_and_in_little_memory(
    cli: Cli, spec_file: SpecFile, parser: str, text: str, pattern: str, position: str
) -> None:
    path = spec_file(text)
    tracemalloc.start()
    try:
        result = cli("summarize", str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = clean_error(result)
    assert re.search(pattern, err), err
    assert re.match(rf"error: \S*net\.yaml:{position}: ", err), err
    # a bomb is refused without building what it describes: a few MB for the text and its nodes
    assert peak < 30 * 2**20, f"{peak:,} bytes"


def test_values_limit(spec_file: SpecFile, monkeypatch: pytest.MonkeyPatch, parser: str) -> None:
    monkeypatch.setattr(yaml_source, "MAX_NODES", 50)
    text = HEAD + "layers:\n" + "  - relu\n" * 60
    with pytest.raises(SpecError, match=r"the document has more than 50 values") as info:
        cnncalc.load(spec_file(text))
    assert info.value.diagnostics[0].location is not None


# ------------------------------------------------------------------------------------ spec semantics

SEMANTIC_CASES = [
    # (id, layers text at line 3 (after HEAD), message pattern, position, text under the caret)
    pytest.param(
        "layers: [convv: {filters: 8, kernel: 3}]",
        r"unknown layer type 'convv'[\s\S]*hint: did you mean 'conv'\?",
        "3:10",
        "convv",
        id="unknown-type",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernal: 3}]",
        r"conv1: conv has no argument 'kernal'[\s\S]*hint: did you mean 'kernel'\?",
        "3:29",
        "kernal",
        id="unknown-argument",
    ),
    pytest.param(
        "layers: [conv: {filters: 8}]",
        r"conv1: conv needs kernel[\s\S]*hint: write `- conv: \{kernel: …\}`",
        "3:16",
        None,
        id="missing-argument",
    ),
    pytest.param(
        "layers: [conv: {filters: '8', kernel: 3}]",
        r"filters: expected a whole number, got '8' \(text\)[\s\S]*hint: write it without quotes: 8",
        "3:26",
        "'8'",
        id="quoted-number",
    ),
    pytest.param(
        "layers: [conv: {filters: true, kernel: 3}]",
        r"filters: expected a whole number, got true \(a boolean\)",
        "3:26",
        "true",
        id="boolean-for-integer",
    ),
    pytest.param(
        "layers: [conv: {filters: 8.5, kernel: 3}]",
        r"filters: expected a whole number, got 8\.5 \(a number with a fraction\)",
        "3:26",
        "8.5",
        id="fraction-for-integer",
    ),
    pytest.param(
        "layers: [conv: {filters: [8], kernel: 3}]",
        r"filters: expected a whole number, got \[8\] \(a list\)",
        "3:26",
        None,
        id="list-for-integer",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, bias: 1}]",
        r"bias: expected true or false, got 1 \(an integer\)",
        "3:46",
        "1",
        id="integer-for-boolean",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, padding: sam}]",
        r"padding: expected a number, a list, same or valid, got 'sam'[\s\S]*did you mean 'same'\?",
        "3:49",
        "sam",
        id="padding-typo",
    ),
    pytest.param(
        "layers: [conv: {filters: -8, kernel: 3}]", r"filters: must be positive, got -8", "3:26", "-8", id="negative"
    ),
    pytest.param(
        "layers: [conv: {filters: 0, kernel: 3}]", r"filters: must be positive, got 0", "3:26", "0", id="zero"
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, stride: 0}]",
        r"stride: must be positive, got 0",
        "3:48",
        "0",
        id="zero-stride",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, padding: -1}]",
        r"padding: must be at least 0, got -1",
        "3:49",
        "-1",
        id="negative-padding",
    ),
    pytest.param(
        "layers: [dropout: {rate: 1.5}]", r"rate: must be < 1, got 1\.5", "3:26", "1.5", id="rate-out-of-range"
    ),
    pytest.param(
        "layers: [conv: {filters: 1000000000000000000000000000000, kernel: 3}]",
        r"filters: must be at most 2,147,483,647 \(2³¹ − 1\), got 1000000000000000000000000000000",
        "3:26",
        "1000000000000000000000000000000",
        id="absurd-integer",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 9}]",
        r"conv1: output height would be 0: the conv window \(9\) is larger than the padded input 8 \+ 0 \+ 0 = 8",
        "3:37",
        "9",
        id="kernel-larger-than-input",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, dilation: 5, padding: 1}]",
        r"output height would be 0: the conv window \(5·\(3 − 1\) \+ 1 = 11\) "
        r"is larger than the padded input 8 \+ 1 \+ 1 = 10",
        "3:37",
        "3",
        id="dilated-kernel-larger-than-padded-input",
    ),
    pytest.param(
        "layers: [maxpool: {kernel: 2}, maxpool: {kernel: 2}, maxpool: {kernel: 2}, maxpool: {kernel: 2}]",
        r"maxpool4: output height would be 0: the maxpool window \(2\) is larger than the padded input 1",
        "3:94",
        "2",
        id="output-shrinks-to-zero",
    ),
    pytest.param(
        "layers: [deconv: {filters: 8, kernel: 1, padding: 5}]",
        r"deconv1: output length along axis 1 would be -2: the padding removes more than",
        "3:51",
        "5",
        id="deconv-negative-output",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, groups: 2}]",
        r"groups = 2 must divide the 3 input channels[\s\S]*hint: choose groups among the divisors of 3",
        "3:48",
        "2",
        id="groups-channels",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 1}, conv: {filters: 9, kernel: 1, groups: 4}]",
        r"conv2: groups = 4 must divide the 9 filters",
        "3:79",
        "4",
        id="groups-filters",
    ),
    pytest.param(
        "layers: [parallel: {merge: concat, branches: [[conv: {filters: 8, kernel: 3}], []]}]",
        r"parallel1/concat: concat needs equal spatial sizes, got b1 \[8, 6, 6\], b2 \[3, 8, 8\]",
        "3:28",
        "concat",
        id="concat-mismatch",
    ),
    pytest.param(
        "layers: [parallel: {merge: add, branches: [[conv: {filters: 8, kernel: 1}], []]}]",
        r"parallel1/add: add needs identical shapes, got b1 \[8, 8, 8\], b2 \[3, 8, 8\]"
        r"[\s\S]*hint: project the shortcut",
        "3:28",
        "add",
        id="add-mismatch",
    ),
    pytest.param(
        "layers: [parallel: {merge: sum, branches: [[relu], []]}]",
        r"merge: expected one of concat, add, mul, got 'sum'",
        "3:28",
        "sum",
        id="unknown-merge",
    ),
    pytest.param(
        "layers: [parallel: {merge: add, branches: [[relu]]}]",
        r"branches must be a list of at least two layer lists",
        "3:43",
        None,
        id="one-branch",
    ),
    pytest.param(
        # a 0-sized tensor cannot arise: the layer that would make it is the error, never the fc after it
        "layers: [conv: {filters: 8, kernel: 9}, flatten, fc: {units: 10}]",
        r"conv1: output height would be 0",
        "3:37",
        "9",
        id="fc-after-empty-tensor",
    ),
    pytest.param(
        "layers: [flatten, conv: {filters: 8, kernel: 1}]",
        r"conv1: conv needs an input with spatial axes \(\[C, L\], \[C, H, W\] or \[C, D, H, W\]\), got \[192\]",
        "3:25",
        None,
        id="conv-after-flatten",
    ),
    pytest.param(
        "layers: [conv1d: {filters: 8, kernel: 3}]",
        r"conv1: conv1d expects 1 spatial axis, but its input \[3, 8, 8\] has 2[\s\S]*hint: write conv \(any rank\)",
        "3:10",
        "conv1d",
        id="1d-kind-on-2d-input",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: [3]}]",
        r"conv1: kernel has 1 values \[3\] but the input has 2 spatial axes \(height, width\)",
        "3:37",
        None,
        id="1d-argument-on-2d-input",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, stride: [1, 1, 1]}]",
        r"conv1: stride has 3 values \[1, 1, 1\] but the input has 2 spatial axes",
        "3:48",
        None,
        id="3d-argument-on-2d-input",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, padding: [1, 1, 1]}]",
        r"conv1: padding has 3 entries \[1, 1, 1\] but the input has 2 spatial axes",
        "3:49",
        None,
        id="padding-rank",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, padding: [[0, 1, 2], 1]}]",
        r"padding: item 1: a \[before, after\] pair has 2 values, got 3",
        "3:49",
        None,
        id="padding-pair",
    ),
    pytest.param(
        "layers: [repeat: {times: 0, layers: [relu]}]",
        r"repeat1: times: must be positive, got 0",
        "3:26",
        "0",
        id="repeat-zero",
    ),
    pytest.param(
        "layers: [repeat: {times: -3, layers: [relu]}]",
        r"repeat1: times: must be positive, got -3",
        "3:26",
        "-3",
        id="repeat-negative",
    ),
    pytest.param(
        "layers: [repeat: {times: 2000000, layers: [relu]}]",
        r"the spec expands to more than 100,000 layers: repeating 2,000,000 times passes the limit",
        "3:26",
        "2000000",
        id="repeat-absurd",
    ),
    pytest.param(
        "layers: [repeat: {times: 1000, layers: [repeat: {times: 1001, layers: [relu]}]}]",
        r"the spec expands to more than 100,000 layers: repeating 1,000 times passes the limit",
        "3:26",
        "1000",
        id="nested-repeats",
    ),
    pytest.param(
        "layers: [repeat: {times: 2, layerz: [relu]}]",
        r"repeat has no key 'layerz'[\s\S]*did you mean 'layers'\?",
        "3:29",
        "layerz",
        id="repeat-key-typo",
    ),
    pytest.param(
        "blocks: {a: {layers: [b]}, b: {layers: [relu, a]}}\nlayers: [a]",
        r"block 'a' uses itself: a → b → a",
        "3:10",
        "a",
        id="block-cycle",
    ),
    pytest.param(
        "blocks: {a: {layers: [relu, {repeat: {times: 2, layers: [a]}}]}}\nlayers: [a]",
        r"block 'a' uses itself: a → a",
        "3:10",
        "a",
        id="block-self-reference",
    ),
    pytest.param(
        "blocks: {unit: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}}\nlayers: [unti: {w: 3}]",
        r"unknown layer type 'unti'[\s\S]*did you mean 'unit'\?",
        "4:10",
        "unti",
        id="undefined-block-typo",
    ),
    pytest.param(
        "blocks: {unit: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}}\nlayers: [stage: {w: 3}]",
        r"unknown layer type 'stage'[\s\S]*blocks defined here: unit",
        "4:10",
        "stage",
        id="undefined-block",
    ),
    pytest.param(
        "blocks: {unit: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}}\nlayers: [unit]",
        r"unit1: block 'unit' needs w[\s\S]*hint: write `- unit: \{name: …, w: …\}`",
        "4:10",
        "unit",
        id="missing-block-argument",
    ),
    pytest.param(
        "blocks: {unit: {params: [width], layers: [conv: {filters: $width, kernel: 1}]}}\nlayers: [unit: {widht: 3}]",
        r"unit1: block 'unit' has no parameter 'widht'[\s\S]*did you mean 'width'\?",
        "4:17",
        "widht",
        id="unknown-block-argument",
    ),
    pytest.param(
        "blocks: {unit: {params: [w], layers: [conv: {filters: $wdith, kernel: 1}]}}\nlayers: [unit: {w: 3}]",
        r"\$wdith is not a parameter of block 'unit' \(its parameters: w\)",
        "3:55",
        "$wdith",
        id="unknown-parameter-reference",
    ),
    pytest.param(
        "blocks: {unit: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}}\nlayers: [unit: {w: true}]",
        r"unit1/conv1: filters: expected a whole number, got true \(a boolean\)"
        r"[\s\S]*note: in block 'unit' instantiated as unit1",
        "4:20",
        "true",
        id="block-argument-wrong-type",
    ),
    pytest.param("layers: relu", r"layers must be a list, got text", "3:9", "relu", id="layers-not-a-list"),
    pytest.param("layers: []", r"layers is empty", "3:9", None, id="layers-empty"),
    pytest.param(
        "layers: [{conv: {filters: 8, kernel: 3}, relu: {}}]",
        r"a layer is one `TYPE: \{args\}` entry, but this item has 2 keys",
        "3:10",
        None,
        id="two-types-in-one-item",
    ),
    pytest.param(
        "layers: [conv: {filters: 8, kernel: 3, name: a/b}]",
        r"layer name 'a/b' contains '/', which separates path components",
        "3:46",
        "a/b",
        id="slash-in-name",
    ),
    pytest.param(
        "layers: [conv: {name: c, filters: 8, kernel: 3}, relu: {name: c}]",
        r"the name 'c' is used twice in the top level \(first at line 3\)",
        "3:63",
        "c",
        id="duplicate-name",
    ),
    # issue 13: sizes that grow past 2³¹ − 1 are stopped where computed (were exit 3 in the renderers)
    pytest.param(
        "layers: [repeat: {times: 40, layers: [upsample: {scale_factor: 2}]}]",
        r"repeat1/28/upsample1: the output \[3, 2147483648, 2147483648\] has a size past 2,147,483,647",
        "3:49",
        None,
        id="growing-upsample",
    ),
    pytest.param(
        "layers: [repeat: {times: 40, layers: [zeropad: {padding: 100000000}]}]",
        r"repeat1/11/zeropad1: the output \[3, 2200000008, 2200000008\] has a size past",
        "3:48",
        None,
        id="growing-zeropad",
    ),
    pytest.param(
        "layers: [repeat: {times: 9, layers: [deconv: {filters: 3, kernel: 2, stride: 1000}]}]",
        # (H − 1)·stride + kernel: 8 → 7·1000 + 2 = 7002 → 7001·1000 + 2 = 7001002 → 7001001·1000 + 2
        r"repeat1/3/deconv1: the output \[3, 7001001002, 7001001002\] has a size past",
        "3:46",
        None,
        id="growing-deconv",
    ),
    pytest.param(
        "layers: [parallel: {merge: concat, branches: [[conv: {filters: 2147483647, kernel: 1}], []]}]",
        r"parallel1/concat: the output \[2147483650, 8, 8\] has a size past",
        "3:",
        None,
        id="growing-concat",
    ),
    # issue 13: ESC sequences clear the screen or set the window title on any terminal showing the name
    pytest.param(
        'layers: [conv: {filters: 8, kernel: 3, name: "c\\e[2J"}]',
        r"layer name 'c\\x1b\[2J' contains U\+001B \(a control character\)[\s\S]*hint: remove it",
        "3:46",
        '"c\\e[2J"',
        id="escape-in-name",
    ),
    pytest.param(
        'layers: [relu: {name: "r\\u202eevil"}]',
        r"contains U\+202E \(a control character\)",
        "3:23",
        None,
        id="bidi-override-in-name",
    ),
]


@pytest.mark.parametrize(("layers", "pattern", "position", "under"), SEMANTIC_CASES)
def test_spec_errors(
    cli: Cli, spec_file: SpecFile, layers: str, pattern: str, position: str, under: str | None
) -> None:
    err = clean_error(cli("summarize", str(spec_file(HEAD + layers + "\n"))))
    assert re.search(pattern, err), err
    assert re.match(rf"error: \S*net\.yaml:{position}", err), err
    if under is not None:
        caret_under(err, under)


@pytest.mark.parametrize(
    ("input_shape", "layer", "pattern", "position"),
    [
        pytest.param(
            "[1, 100]",
            "conv: {filters: 8, kernel: [3, 3]}",
            r"conv1: kernel has 2 values \[3, 3\] but the input has 1 spatial axis \(length\)",
            "3:37",
            id="2d-argument-on-1d-input",
        ),
        pytest.param(
            "[1, 100]",
            "conv2d: {filters: 8, kernel: 3}",
            r"conv1: conv2d expects 2 spatial axes, but its input \[1, 100\] has 1",
            "3:10",
            id="2d-kind-on-1d-input",
        ),
        pytest.param(
            "[1, 100]",
            "maxpool: {kernel: 2, padding: [[0, 1], [0, 1]]}",
            r"maxpool1: padding has 2 entries \[\[0, 1\], \[0, 1\]\] but the input has 1 spatial axis",
            "3:40",
            id="2d-padding-on-1d-input",
        ),
        pytest.param(
            "[1, 8, 8, 8]",
            "conv: {filters: 8, kernel: [3, 3]}",
            r"conv1: kernel has 2 values \[3, 3\] but the input has 3 spatial axes \(depth, height, width\)",
            "3:37",
            id="2d-argument-on-3d-input",
        ),
        pytest.param(
            "[100]",
            "maxpool: {kernel: 2}",
            r"maxpool1: maxpool needs an input with spatial axes[\s\S]*hint: a flat vector has no spatial axes",
            "3:19",
            id="pool-on-a-vector",
        ),
        # issue 13: batchnorm1d took a 2-D map while batchnorm2d refused a 1-D one; PyTorch's BatchNorm1d
        # takes [C] or [C, L] only
        pytest.param(
            "[3, 8, 8]",
            "batchnorm1d",
            r"batchnorm1: batchnorm1d expects 0 or 1 spatial axes, but its input \[3, 8, 8\] has 2",
            "3:10",
            id="batchnorm1d-on-a-2d-map",
        ),
        pytest.param(
            "[3, 8]",
            "batchnorm2d",
            r"batchnorm1: batchnorm2d expects 2 spatial axes, but its input \[3, 8\] has 1",
            "3:10",
            id="batchnorm2d-on-a-1d-signal",
        ),
    ],
)
def test_rank_errors(cli: Cli, spec_file: SpecFile, input_shape: str, layer: str, pattern: str, position: str) -> None:
    err = clean_error(cli("summarize", str(spec_file(f"name: t\ninput: {input_shape}\nlayers: [{layer}]\n"))))
    assert re.search(pattern, err), err
    assert re.match(rf"error: \S*net\.yaml:{position}", err), err


@pytest.mark.parametrize(
    ("document", "pattern", "position"),
    [
        pytest.param("name: t\nlayers: [relu]\n", r"the spec has no 'input'", "1:1", id="no-input"),
        pytest.param(HEAD, r"the spec has no 'layers'", "1:1", id="no-layers"),
        pytest.param(
            "name: t\ninput: 3x8x8\nlayers: [relu]\n",
            r"input must be a list of sizes, got '3x8x8'",
            "2:8",
            id="input-text",
        ),
        pytest.param(
            "name: t\ninput: [1, 3, 8, 8, 8]\nlayers: [relu]\n",
            r"input has 5 dimensions; cnncalc takes at most 4[\s\S]*hint: drop the batch dimension",
            "2:8",
            id="input-with-batch",
        ),
        pytest.param(
            "name: t\ninput: [3, 0, 8]\nlayers: [relu]\n",
            r"input dimension 2: must be positive, got 0",
            "2:12",
            id="input-zero",
        ),
        pytest.param(
            "name: t\ninput: [3, 8, 8]\nlayer: [relu]\n",
            r"unknown top-level key 'layer'[\s\S]*did you mean 'layers'\?",
            "3:1",
            id="top-level-typo",
        ),
        pytest.param(
            "name: [t]\ninput: [3, 8, 8]\nlayers: [relu]\n", r"name: expected text, got \['t'\]", "1:7", id="name-list"
        ),
        # issue 13: a line break in the name forged a `::error file=...` annotation in `check -f github`
        pytest.param(
            'name: "t\\n::error file=x::forged"\ninput: [3, 8, 8]\nlayers: [relu]\n',
            r"name: 't\\n::error file=x::forged' contains U\+000A \(a line break\)",
            "1:7",
            id="line-break-in-name",
        ),
        pytest.param(
            'name: t\ndescription: "a\\e]0;title\\a"\ninput: [3, 8, 8]\nlayers: [relu]\n',
            r"description: 'a\\x1b\]0;title\\x07' contains U\+001B \(a control character\)",
            "2:14",
            id="escape-in-description",
        ),
    ],
)
def test_document_errors(cli: Cli, spec_file: SpecFile, document: str, pattern: str, position: str) -> None:
    err = clean_error(cli("summarize", str(spec_file(document))))
    assert re.search(pattern, err), err
    assert re.match(rf"error: \S*net\.yaml:{position}", err), err


# ------------------------------------------------------------------------------------- error format


def test_error_format_in_full(cli: Cli, spec_file: SpecFile) -> None:
    """``file:line:col: layer path: what is wrong``, the line, a caret under the value, a hint."""
    text = (
        HEAD
        + "blocks:\n  unit:\n    params: [w]\n    layers: [conv: {filters: $w, kernal: 3}]\nlayers: [unit: {w: 8}]\n"
    )
    path = spec_file(text)
    assert cli("summarize", str(path)).stderr == (
        f"error: {path}:6:34: unit1/conv1: conv has no argument 'kernal'\n"
        "    6 |     layers: [conv: {filters: $w, kernal: 3}]\n"
        "      |                                  ^^^^^^\n"
        f"  note: in block 'unit' instantiated as unit1 at {path}:7:10\n"
        "  hint: did you mean 'kernel'?\n"
    )


def test_independent_errors_are_reported_together(cli: Cli, spec_file: SpecFile) -> None:
    text = (
        HEAD + "layers:\n  - conv: {filters: x, kernel: 3}\n  - relu\n  - conv: {filters: 8, kernal: 3}\n  - maxpol\n"
    )
    err = clean_error(cli("summarize", str(spec_file(text))))
    assert re.findall(r"^error: \S*net\.yaml:(\d+:\d+)", err, re.MULTILINE) == ["4:21", "6:24", "7:5"]
    assert err.rstrip().endswith("3 errors")


def test_errors_in_one_layer_are_reported_together(cli: Cli, spec_file: SpecFile) -> None:
    text = HEAD + "layers: [conv: {filters: -1, kernel: 0, stride: x, bias: maybe}]\n"
    err = clean_error(cli("summarize", str(spec_file(text))))
    assert [line.split(": ")[3] for line in err.splitlines() if line.startswith("error:")] == [
        "filters",
        "kernel",
        "stride",
        "bias",
    ]


def test_long_lines_are_cut_around_the_caret(cli: Cli, spec_file: SpecFile) -> None:
    text = HEAD + "layers: [" + "relu, " * 100 + "conv: {filters: 8, kernal: 3}" + ", relu" * 100 + "]\n"
    err = clean_error(cli("summarize", str(spec_file(text))))
    quoted = next(line for line in err.splitlines() if line.startswith("    3 | "))
    assert len(quoted) <= 8 + 102 and quoted.count("…") == 2
    caret_under(err, "kernal")


@pytest.mark.parametrize(
    ("args", "message", "location", "path"),
    [
        pytest.param(("summarize", "{spec}"), "conv has no argument 'kernal'", "{spec}:4:24", "conv1", id="spec-error"),
        pytest.param(
            ("preset", "alexnet", "--input", "3x1x1"),
            "output height would be 0",
            "preset:alexnet:16:46",
            "conv1",
            id="input-error",
        ),
        pytest.param(
            ("preset", "alexnet", "--input", "abc"), "--input 'abc' is not a shape", None, None, id="usage-error"
        ),
        pytest.param(("preset", "alexnett"), "unknown preset 'alexnett'", None, None, id="unknown-preset"),
    ],
)
def test_errors_as_json(
    cli: Cli, spec_file: SpecFile, args: tuple[str, ...], message: str, location: str | None, path: str | None
) -> None:
    spec = spec_file(HEAD + "layers:\n  - conv: {filters: 8, kernal: 3}\n")
    result = cli(*(a.format(spec=spec) for a in args), "--format", "json")
    clean_error(result)  # the human message stays on stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["exit_code"] == 2
    first = data["diagnostics"][0]
    assert message in first["message"] and message in data["error"]
    assert first["location"] == (location.format(spec=spec) if location else None)
    assert first["path"] == path
    assert set(first) >= {"location", "path", "message", "hint"}


def test_readme_error_examples_are_true(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/limits.md's bad spec gives the message and the JSON error object the page shows."""
    page = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    spec = page.split("```yaml\n# save as bad.yaml\n", 1)[1].split("```", 1)[0]
    Path("bad.yaml").write_text("# save as bad.yaml\n" + spec, encoding="utf-8")
    result = cli("summarize", "bad.yaml", "--format", "json")
    text_block = page.split("```text\n$ cnncalc summarize bad.yaml\n", 1)[1].split("```", 1)[0]
    json_block = page.split("```json\n", 1)[1].split("```", 1)[0]
    assert result.stderr == text_block
    assert result.stdout == json_block


def test_internal_errors_are_exit_3_with_json(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(sys.modules["cnncalc.cli.summary"], "analyze", broken)
    result = cli("preset", "alexnet", "-f", "json")
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error: ZeroDivisionError: simulated bug\n  this is a bug in cnncalc")
    data = json.loads(result.stdout)
    assert data["exit_code"] == 3 and data["diagnostics"][0]["message"] == data["error"]


def run_cnncalc(*args: str, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    """cnncalc's real entry point in a fresh interpreter (main(), not the test runner's app call)."""
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "CNNCALC_DEBUG": ""},
        cwd=ROOT,
    )


def test_command_line_errors_as_json() -> None:
    run = run_cnncalc("preset", "alexnet", "--batch", "0", "--format", "json")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    data = json.loads(run.stdout)
    assert data["exit_code"] == 2 and "--batch" in data["diagnostics"][0]["message"]


def test_debug_shows_the_traceback(spec_file: SpecFile) -> None:
    spec = spec_file(HEAD + "layers: [conv: {filters: 8, kernal: 3}]\n")
    plain = run_cnncalc("summarize", str(spec))
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = run_cnncalc("--debug", "summarize", str(spec))
    assert "Traceback (most recent call last)" in debug.stderr and "cnncalc.errors.SpecError" in debug.stderr


# ------------------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        pytest.param(("preset", "alexnet", "--bogus"), r"No such option:? '?--bogus", id="unknown-option"),
        pytest.param(("bogus",), r"No such command 'bogus'", id="unknown-command"),
        pytest.param(("summarize",), r"Missing argument '(spec|SPEC)'", id="missing-argument"),
        pytest.param(("preset", "alexnet", "--format", "yml"), r"Invalid value for '--format'", id="bad-format"),
        pytest.param(("preset", "alexnet", "--dtype", "float8"), r"Invalid value for '--dtype'", id="bad-dtype"),
        pytest.param(("preset", "alexnet", "--batch", "0"), r"Invalid value for '--batch'", id="batch-zero"),
        pytest.param(("preset", "alexnet", "--batch", "two"), r"Invalid value for '--batch'", id="batch-text"),
        pytest.param(
            ("preset", "alexnet", "--batch", str(MAX_SIZE + 1)), r"Invalid value for '--batch'", id="batch-huge"
        ),
        pytest.param(("preset", "alexnet", "--depth", "-1"), r"Invalid value for '--depth'", id="depth-negative"),
    ],
)
def test_command_line_parse_errors(cli: Cli, args: tuple[str, ...], pattern: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result
    assert re.search(pattern, result.stderr), result
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            "3x224", r"the input shape \[3, 224\] has 2 dimensions but alexnet takes 3 \(\[3, 227, 227\]\)", id="rank-2"
        ),
        pytest.param("1x3x224x224", r"has 4 dimensions but alexnet takes 3", id="rank-4-batch"),
        pytest.param("0x224x224", r"--input '0x224x224': every size must be at least 1", id="zero"),
        pytest.param("abc", r"--input 'abc' is not a shape[\s\S]*hint: write channels first", id="text"),
        pytest.param("3x-1x224", r"--input '3x-1x224' is not a shape", id="negative"),
        pytest.param("3x224x", r"--input '3x224x' is not a shape", id="trailing-x"),
        pytest.param("", r"--input '' is not a shape", id="empty"),
        pytest.param("3x10000000000x10000000000", r"every size must be at most 2,147,483,647", id="huge"),
        # issue 13: past Python's 4,300-digit int limit (was exit 3), and an unclosed bracket (was accepted)
        pytest.param(f"[3, {'9' * 5000}, 227]", r"every size must be at most 2,147,483,647", id="huge-digits"),
        pytest.param("[3x227x227", r"--input '\[3x227x227' is not a shape", id="unclosed-bracket"),
        pytest.param("3x227x227]", r"--input '3x227x227\]' is not a shape", id="unopened-bracket"),
        pytest.param("3x1x1", r"conv1: output height would be 0", id="too-small-for-the-network"),
    ],
)
def test_bad_input_shapes(cli: Cli, value: str, message: str) -> None:
    assert re.search(message, clean_error(cli("preset", "alexnet", "--input", value)))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # issue 13: 1e400 overflowed a float (exit 3); 1e9 and "" were accepted
        pytest.param("1e400", r"--width 1e400: a width multiplier must be at most 2,147,483,647", id="1e400"),
        pytest.param("1e999999999", r"--width '1e999999999' is out of range", id="huge-exponent"),
        pytest.param(
            "1e9",
            r"conv1: 96 channels scaled by 1e\+09 are 96,000,000,000, past 2,147,483,647[\s\S]*"
            r"note: with --width 1e\+09",
            id="channels-past-the-limit",
        ),
        pytest.param("", r"--width '' names no multiplier", id="empty"),
        pytest.param("nan", r"--width 'nan' is not a number", id="nan"),
        pytest.param("-1", r"--width -1: a width multiplier must be positive", id="negative"),
    ],
)
def test_bad_widths(cli: Cli, value: str, message: str) -> None:
    assert re.search(message, clean_error(cli("sweep", "alexnet", "--width", value)))


def test_input_shapes_in_other_spellings(cli: Cli) -> None:
    for value in ("3x224x224", "3,224,224", "[3, 224, 224]", "3×224×224"):
        result = cli("preset", "alexnet", "--input", value, "-f", "json")
        assert json.loads(result.stdout)["input_shape"] == [3, 224, 224], value


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("preset", "googlenet", "-f", "table"),
        ("preset", "googlenet", "-f", "json"),
        ("--version",),  # issue 13: these two were tracebacks
        ("--help",),
    ],
    ids=["table", "json", "version", "help"],
)
def test_unwritable_output(args: tuple[str, ...]) -> None:
    with Path("/dev/full").open("w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "cnncalc", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: cannot write the output: No space left on device"), run.stderr


@pytest.mark.parametrize("args", [("preset", "alexnet"), ("preset", "alexnet", "-f", "json"), ("--version",)])
def test_closed_output(args: tuple[str, ...]) -> None:
    """`cnncalc … >&-`: no standard output at all (issue 13: exit 0 with nothing written, or a traceback)."""
    run = subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr == "error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_encoding_without_the_symbols_falls_back_to_ascii(encoding: str) -> None:
    """PYTHONIOENCODING=ascii or a Latin-1 terminal (issue 13: UnicodeEncodeError, exit 3)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "120", "NO_COLOR": "1", "CNNCALC_DEBUG": ""}
    for args in (("preset", "alexnet"), ("explain", "alexnet", "--layer", "conv1")):
        run = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, check=False, env=env)
        assert run.returncode == 0, run.stderr
        text = run.stdout.decode(encoding)
        times = "x" if encoding == "ascii" else "×"  # Latin-1 has ×, not →
        assert f"alexnet: 3{times}227{times}227 -> 1000" in text and "→" not in text
    bad = subprocess.run(
        [sys.executable, "-m", "cnncalc", "preset", "alexnet", "--input", "3×1×1"], capture_output=True, env=env
    )
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("value", "debug"), [("", False), ("0", False), ("false", False), ("No", False), ("1", True), ("yes", True)]
)
def test_cnncalc_debug_values(spec_file: SpecFile, value: str, debug: bool) -> None:
    """Issue 13: CNNCALC_DEBUG=0 turned debugging on (bool("0") is True)."""
    spec = spec_file(HEAD + "layers: [conv: {filters: 8, kernal: 3}]\n")
    run = subprocess.run(
        [sys.executable, "-m", "cnncalc", "summarize", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CNNCALC_DEBUG": value},
    )
    assert ("Traceback" in run.stderr) is debug, run.stderr


def test_interrupt_is_exit_130_without_a_traceback() -> None:
    """Ctrl-C anywhere after cnncalc's own code starts (issue 13: a traceback in 15 of 21 tries). The
    interrupts land at spread-out moments of start-up and of the command; Python's own start-up, before
    any cnncalc code, is outside our reach, so a run that never reached it is retried."""
    import signal
    import time

    outcomes = []
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8):
        for _ in range(3):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; sys.argv[0] = 'cnncalc'; import cnncalc.cli; cnncalc.cli.main()",
                    "preset",
                    "vgg16",
                    "-f",
                    "json",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
            # before cnncalc's guard is installed: Python's start-up, or importing the guard itself
            python_start_up = proc.returncode == -signal.SIGINT or (
                "Traceback" in err and ("cnncalc/" not in err or "_startup" in err)
            )
            if not python_start_up:
                outcomes.append((proc.returncode, err))
                break
    # under load a short delay may land in Python's own start-up three times; most delays must reach cnncalc
    assert len(outcomes) >= 4, outcomes
    for code, err in outcomes:
        assert code in (0, 130) and "Traceback" not in err, err


# ------------------------------------------------------------------------------------ sizes and speed


def test_huge_sizes_stay_fast() -> None:
    """Extreme but accepted values: exact integers, computed at once (the unread count is O(log))."""
    spec = cnncalc.from_dict(
        {
            "name": "extreme",
            "input": [MAX_SIZE, MAX_SIZE],
            "layers": [
                {"conv": {"filters": MAX_SIZE, "kernel": 10**8, "dilation": 3, "stride": 10**8 + 1, "padding": 10**9}}
            ],
        }
    )
    row = cnncalc.analyze(spec, batch=MAX_SIZE).layers[0]
    # out = floor((N + 2·10⁹ − (3·(10⁸ − 1) + 1)) / (10⁸ + 1)) + 1
    out = (MAX_SIZE + 2 * 10**9 - (3 * (10**8 - 1) + 1)) // (10**8 + 1) + 1
    assert row.output_shape == (MAX_SIZE, out)
    assert row.macs == 10**8 * MAX_SIZE * MAX_SIZE * out * MAX_SIZE


def test_expansion_count_is_the_parsers() -> None:
    """The up-front count that refuses bombs is exact for valid specs: it equals what the parser builds."""
    specs = [(loader.preset_text(n), n) for n in loader.preset_names()]
    specs += [(p.read_text(encoding="utf-8"), p.name) for p in sorted((ROOT / "specs").glob("*.yaml"))]
    specs.append((repeat_bomb(3), "bomb-1000"))
    specs.append((block_bomb(4), "blocks-10000"))
    for text, name in specs:
        data, source_map = loader.parse_yaml(text, name)
        parser = _Parser(source_map)
        parser.spec(data)
        assert check_expansion(data["layers"], parser.blocks, parser.cyclic, MAX_LAYERS) == parser.expanded, name


# ------------------------------------------------------------------------------ names on the command line


def test_a_directory_named_like_a_preset_does_not_shadow_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: `alexnet/` in the working directory made `cnncalc summarize alexnet` fail ("is a directory");
    only a file of that name wins over the preset."""
    (tmp_path / "alexnet").mkdir()
    monkeypatch.chdir(tmp_path)
    result = cli("summarize", "alexnet", "-f", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["totals"]["params"] == 60_965_224  # Caffe's bvlc_alexnet, as the preset


def test_a_dangling_symlink_under_a_checked_directory_is_reported(cli: Cli, tmp_path: Path) -> None:
    """Issue 13: `check DIR/` skipped a link to a missing file and said "1 passed"."""
    (tmp_path / "ok.yaml").write_text(HEAD + "layers: [relu]\n", encoding="utf-8")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    result = cli("check", str(tmp_path))
    assert result.exit_code == 2, result
    assert "gone.yaml" in result.stdout and "no such file" in result.stdout
    assert "1 passed, 1 failed (1 invalid)" in result.stdout


def test_carets_are_aligned_by_display_width(cli: Cli, spec_file: SpecFile) -> None:
    """Issue 13: carets counted code points and sat up to 40 columns off after CJK, emoji or combining marks."""
    err = clean_error(
        cli("summarize", str(spec_file(HEAD + "layers:\n  - conv: {name: 中文层😀e\u0301, filters: 8, kernal: 3}\n")))
    )
    carets = next(line for line in err.splitlines() if line.strip().startswith("|") and "^" in line)
    # "  - conv: {name: " 17 columns, 中文层 3 × 2, 😀 2, e + combining acute 1, ", filters: 8, " 14
    assert carets.index("^") - (carets.index("|") + 2) == 17 + 3 * 2 + 2 + 1 + 14
    assert carets.count("^") == len("kernal")


def test_an_unknown_checks_layers_name_is_located_at_the_name(cli: Cli, spec_file: SpecFile) -> None:
    """Issue 13: the caret sat on the entry's first sub-key (output_shape), not on the name that is wrong."""
    text = HEAD + "layers: [relu]\nchecks:\n  layers:\n    relu9: {output_shape: [3, 8, 8]}\n"
    result = cli("check", str(spec_file(text)), "-f", "github")
    assert result.exit_code == 2, result
    assert re.search(r"net\.yaml,line=6,col=5,.*::no layer or block named 'relu9'", result.stdout), result.stdout


def test_a_broken_block_definition_is_reported_once(cli: Cli, spec_file: SpecFile) -> None:
    """Issue 13: each use of a block whose definition failed added "unknown layer type 'b'" (did you mean
    'bn'?) to the definition's own error."""
    text = HEAD.replace("input", "blocks:\n  b: {params: [w], layers: []}\ninput") + "layers: [b: {w: 4}, b: {w: 8}]\n"
    err = clean_error(cli("summarize", str(spec_file(text))))
    assert err.count("error:") == 1, err
    assert re.match(r"error: \S*net\.yaml:3:28: the layers of block 'b' must be a non-empty list", err), err
    assert "unknown layer type" not in err


ANCHOR = "  - conv: &c5 {filters: 8, kernel: 5}\n  - maxpool: {kernel: 2}\n"  # lines 4 and 5: 8×4×4 → 8×2×2


@pytest.mark.parametrize(
    ("layers", "pattern", "position", "under", "note"),
    [
        pytest.param(
            ANCHOR + "  - conv: {<<: *c5, filters: 16}\n",
            r"conv2: output height would be 0: the conv window \(5\)",
            "6:12",
            "<<: *c5",
            "`kernel` comes from the anchor &c5 (merged here by `<<: *c5`), written at line 4, column 36",
            id="merge-flow",
        ),
        pytest.param(
            ANCHOR + "  - conv:\n      filters: 16\n      <<: *c5\n",
            r"conv2: output height would be 0",
            "8:7",
            "<<: *c5",
            "`kernel` comes from the anchor &c5 (merged here by `<<: *c5`), written at line 4, column 36",
            id="merge-block",
        ),
        pytest.param(
            ANCHOR + "  - conv: {<<: [*c5], filters: 16}\n",
            r"conv2: output height would be 0",
            "6:17",
            "*c5",
            "`kernel` comes from the anchor &c5, written at line 4, column 36",
            id="merge-list",
        ),
        pytest.param(
            ANCHOR + "  - conv: *c5\n",
            r"conv2: output height would be 0",
            "6:11",
            "*c5",
            "`kernel` comes from the anchor &c5, written at line 4, column 36",
            id="alias",
        ),
        pytest.param(
            "  - relu\n  - conv: &bad {filters: 8, kernel: 3, strides: 2}\n  - conv: {<<: *bad, filters: 4}\n",
            r"conv2: conv has no argument 'strides'",
            "6:12",
            "<<: *bad",
            "`strides` comes from the anchor &bad (merged here by `<<: *bad`), written at line 5, column 40",
            id="merge-unknown-argument",
        ),
        pytest.param(
            ANCHOR + "  - repeat: {times: 2, layers: &pair [conv: {<<: *c5, padding: 1}, relu]}\n",
            r"repeat1/1/conv1: output height would be 0",
            "6:46",
            "<<: *c5",
            "`kernel` comes from the anchor &c5 (merged here by `<<: *c5`), written at line 4, column 36",
            id="merge-in-repeat",
        ),
        pytest.param(
            "  - relu\n  - repeat: {times: 1, layers: &pair [conv: {<<: &k {kernel: 9}, filters: 4}]}\n"
            "  - repeat: {times: 1, layers: *pair}\n",
            r"repeat1/1/conv1: output height would be 0",
            "5:62",
            "9",
            None,  # merged from a mapping written in place: the caret is on the value, as without a merge
            id="merge-of-an-inline-mapping",
        ),
    ],
)
def test_a_value_from_an_anchor_is_located_at_its_use(
    cli: Cli, spec_file: SpecFile, parser: str, layers: str, pattern: str, position: str, under: str, note: str | None
) -> None:
    """Issue 13: an error in a layer built from a YAML merge key (`<<: *c`) careted the anchor's line; it
    points at the use, with a note naming the anchor and where the value is written."""
    err = clean_error(cli("summarize", str(spec_file(HEAD + "layers:\n" + layers))))
    # the error at the use is the last one (the anchor's own layer, where wrong itself, is reported first)
    block = err[err.rindex("error: ") :]
    assert re.match(rf"error: \S*net\.yaml:{position}: {pattern}", block), err
    caret_under(block, under)
    if note is not None:
        assert f"  note: {note}\n" in block, err
    else:
        assert "note:" not in err, err


def test_a_value_from_an_anchor_has_the_note_in_json(cli: Cli, spec_file: SpecFile) -> None:
    result = cli("summarize", str(spec_file(HEAD + "layers:\n" + ANCHOR + "  - conv: {<<: *c5}\n")), "-f", "json")
    clean_error(result)
    first = json.loads(result.stdout)["diagnostics"][0]
    assert (first["line"], first["column"], first["end_column"]) == (6, 12, 12 + len("<<: *c5"))
    note = "`kernel` comes from the anchor &c5 (merged here by `<<: *c5`), written at line 4, column 36"
    assert first["notes"] == [note]


def test_a_sweep_is_bounded_like_a_spec(cli: Cli) -> None:
    """Issue 13: the row limit bounds every command's work; a sweep analyses one report per setting, so
    settings × rows (at least 100 a setting) are bounded by 10 × the row limit."""
    widths = ",".join(f"{1 + i / 100_000:g}" for i in range(10_001))
    result = cli("sweep", "alexnet", "--width", widths)
    assert result.exit_code == 2, result
    # alexnet: 23 rows, counted as 100; 10,001 × 100 = 1,000,100 > 10 × 100,000
    assert (
        "error: 10,001 settings of a 23-row network are 1,000,100 rows to analyse; a sweep analyses at most 1,000,000"
        in result.stderr
    )


def test_a_github_annotation_carries_the_anchor_note(cli: Cli, spec_file: SpecFile) -> None:
    result = cli("check", str(spec_file(HEAD + "layers:\n" + ANCHOR + "  - conv: {<<: *c5}\n")), "-f", "github")
    assert result.exit_code == 2, result
    note = "note: `kernel` comes from the anchor &c5 (merged here by `<<: *c5`), written at line 4, column 36"
    assert re.search(r"::error file=\S*net\.yaml,line=6,col=12,.*%0A" + re.escape(note) + "%0A", result.stdout)
