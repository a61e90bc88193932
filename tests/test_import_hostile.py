"""`cnncalc import` of hostile model files (issue 13): names with control characters, line breaks, bidi
overrides, quotes, `$`, `/` or repeats come out as valid, safe spec names; numbers past any size, garbage
and truncated files are located errors with exit 2 — never exit 3 or a traceback, and no error message
passes a file's control characters to the terminal."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import cnncalc
from cnncalc.args import unsafe_character
from cnncalc.importers import import_model
from cnncalc.importers.graph import clean_name

from .conftest import Result
from .torch_support import need

Cli = Callable[..., Result]

# (name in the model file, the spec name it becomes)
HOSTILE_NAMES = [
    pytest.param("c\x1b]0;pwned\x07", "c_]0;pwned", id="osc-title"),
    pytest.param("clear\x1b[2J\x1b[H", "clear_[2J_[H", id="csi-clear"),
    pytest.param("two\nlines\r\n::error file=x::forged", "two_lines_::error_file=x::forged", id="line-breaks"),
    pytest.param("evil\u202egnp.exe", "evil_gnp.exe", id="bidi-override"),
    pytest.param("sep\u2028par\u2029x", "sep_par_x", id="unicode-separators"),
    pytest.param("q\"'\"\"\"'''\\", "q\"'\"\"\"'''\\", id="quotes-and-backslash"),
    pytest.param("$w", "w", id="dollar"),
    pytest.param("input", "input_", id="the-input-name"),
    pytest.param("a/b c", "a_b_c", id="slash-and-space"),
    pytest.param("\x00\x01", "layer", id="nothing-left"),
    pytest.param("中文😀", "中文😀", id="cjk-and-emoji-stay"),
    pytest.param("zwj\u200d", "zwj\u200d", id="zero-width-joiner-stays"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE_NAMES)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected
    assert unsafe_character(expected) is None


def _quoted(name: str) -> str:
    """``name`` as a protobuf text-format string literal."""
    return '"' + "".join(f"\\{ord(c):03o}" if ord(c) < 0x20 or c in '"\\' else c for c in name) + '"'


def caffe_with_names(names: list[str]) -> str:
    head = 'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n'
    layers, bottom = [], "data"
    for i, name in enumerate(names):
        layers.append(f'layer {{ name: {_quoted(name)} type: "ReLU" bottom: "{bottom}" top: "t{i}" }}\n')
        bottom = f"t{i}"
    return head + "".join(layers)


def test_hostile_caffe_names_become_safe_spec_names(tmp_path: Path, cli: Cli) -> None:
    need("google.protobuf")
    raw = [str(p.values[0]) for p in HOSTILE_NAMES] + ["a", "a", "a_2"]  # and repeats: Caffe allows them
    path = tmp_path / "hostile.prototxt"
    path.write_text(caffe_with_names(raw), encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result
    assert unsafe_character(result.stdout, allowed="\n") is None
    report = cnncalc.analyze(cnncalc.loads(result.stdout, "hostile.yaml"))
    # each name cleaned; a name taken before gets _2, _3, … ("a", "a" → "a", "a_2"; then "a_2" → "a_2_2")
    assert [row.name for row in report.layers] == [p.values[1] for p in HOSTILE_NAMES] + ["a", "a_2", "a_2_2"]
    assert cli("summarize", "-", "-f", "csv", input=result.stdout).exit_code == 0


def test_hostile_onnx_node_names_become_safe_spec_names(tmp_path: Path) -> None:
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    raw = [str(p.values[0]) for p in HOSTILE_NAMES if "\x00" not in str(p.values[0])] + ["same", "same"]
    tensors = ["x", *(f"t{i}" for i in range(len(raw)))]
    nodes = [h.make_node("Relu", [tensors[i]], [tensors[i + 1]], name=name) for i, name in enumerate(raw)]
    x = h.make_tensor_value_info("x", t.FLOAT, [1, 3, 8, 8])
    y = h.make_tensor_value_info(tensors[-1], t.FLOAT, None)
    graph = h.make_graph(nodes, "hostile\x1b[2J", [x], [y])
    path = tmp_path / "hostile.onnx"
    path.write_bytes(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]).SerializeToString())
    text = import_model(str(path)).text
    assert unsafe_character(text, allowed="\n") is None
    report = cnncalc.analyze(cnncalc.loads(text, "hostile.yaml"))
    assert report.name == "hostile_[2J"
    names = [row.name for row in report.layers]
    assert len(set(names)) == len(raw) and all(unsafe_character(n) is None for n in names)


DIGITS = "9" * 5000  # past Python's 4,300-digit conversion limit


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "net.cfg",
            "[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=99999999999999999999999\nsize=3\n",
            r"net\.cfg:6:1: filters=99999999999999999999999: too large, sizes are at most 2,147,483,647",
            id="darknet-huge-filters",
        ),
        pytest.param(
            "net.cfg",
            f"[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=8\nsize=3\nstride={DIGITS}\n",
            r"net\.cfg:8:1: stride=9{39}…: too large",
            id="darknet-5000-digits",
        ),
        pytest.param(
            "net.cfg",
            f"[net]\nwidth={DIGITS}\nheight=32\nchannels=3\n[convolutional]\nfilters=8\nsize=3\n",
            r"net\.cfg:2:1: width=9{39}…: too large",
            id="darknet-5000-digit-width",
        ),
        pytest.param(
            "net.cfg",
            f"[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=8\nsize=3\n[route]\nlayers=-{DIGITS}\n",
            r"net\.cfg:9:1: layers=-9{38}… in layer 1: no layer has this index",
            id="darknet-5000-digit-route",
        ),
        pytest.param(
            "net.cfg",
            "[net]\nwidth=32\nheight=32\nchannels=3\n[conv\x1b]0;pwned\x07]\nfilters=8\n",
            r"net\.cfg:5:1: conv\\x1b\]0;pwned\\x070: darknet layer \[conv\\x1b\]0;pwned\\x07\] \(layer 0\) is not",
            id="darknet-escape-in-a-section-name",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 32 dim: 99999999999999999999999999 }\n',
            r"net\.prototxt:2:42: not a valid Caffe prototxt: .*Value out of range",
            id="caffe-huge-dim",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n'
            'layer { name: "x" type: "Frob\\033[2J" bottom: "data" top: "c" }\n',
            r"net\.prototxt:3:1: x: layer type 'Frob\\x1b\[2J' is not supported",
            id="caffe-escape-in-a-type",
        ),
        pytest.param(
            "net.prototxt",
            'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\nlayer { name: "x\\033[2J" type: "ReLU"\n',
            r"net\.prototxt:3:\d+: not a valid Caffe prototxt: the file ends inside a message",
            id="caffe-truncated",
        ),
    ],
)
def test_hostile_files_are_located_errors(cli: Cli, tmp_path: Path, name: str, content: str, message: str) -> None:
    if name.endswith(".prototxt"):
        need("google.protobuf")
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert re.search(message, result.stderr.splitlines()[0]), result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


@pytest.mark.parametrize("suffix", [".onnx", ".prototxt", ".cfg"])
@pytest.mark.parametrize("seed", range(3))
def test_garbage_and_truncated_files_are_clean_errors(cli: Cli, tmp_path: Path, suffix: str, seed: int) -> None:
    need("onnx" if suffix == ".onnx" else "google.protobuf")
    rng = random.Random(seed)
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))
    result = cli("import", str(path))
    assert result.exit_code == 2, result
    assert result.stderr.startswith(f"error: {path}"), result.stderr
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("fmt", ["table", "github", "json"])
def test_check_of_a_hostile_model_file_writes_no_control_characters(cli: Cli, tmp_path: Path, fmt: str) -> None:
    """`cnncalc check` reads .cfg files directly: a section name's ESC sequence must not reach a CI log."""
    path = tmp_path / "net.cfg"
    path.write_text("[net]\nwidth=32\nheight=32\nchannels=3\n[conv\x1b]0;pwned\x07]\nfilters=8\n", encoding="utf-8")
    result = cli("check", str(path), "-f", fmt)
    assert result.exit_code == 2, result
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert ("conv\\u001b]0;pwned\\u0007" if fmt == "json" else "conv\\x1b]0;pwned\\x07") in result.stdout


def test_an_onnx_name_that_is_not_utf8_is_a_clean_error(cli: Cli, tmp_path: Path) -> None:
    """Found by tests/test_fuzz_surfaces.py: one flipped byte made a node's name invalid UTF-8, which
    protobuf's pure-Python decoder hands over as bytes (exit 3: TypeError in the importer)."""
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    nodes = [h.make_node("Relu", ["x"], ["a"], name="\x80"), h.make_node("Sigmoid", ["a"], ["y"], name="")]
    x = h.make_tensor_value_info("x", t.FLOAT, [1, 3, 4, 4])
    graph = h.make_graph(nodes, "", [x], [h.make_tensor_value_info("y", t.FLOAT, None)])
    raw = bytearray(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]).SerializeToString())
    raw[0] = 15  # the model's first field tag, now a different field
    path = tmp_path / "net.onnx"
    path.write_bytes(bytes(raw))
    result = cli("import", str(path))
    assert result.exit_code == 2, result
    assert re.match(rf"error: {re.escape(str(path))}:1:1: not a valid ONNX model: ", result.stderr), result.stderr


def test_a_hostile_name_option_is_refused(cli: Cli, tmp_path: Path) -> None:
    """`--name` goes into the spec as it is: a control character there would make a spec cnncalc refuses."""
    need("google.protobuf")
    path = tmp_path / "net.prototxt"
    path.write_text(caffe_with_names(["a"]), encoding="utf-8")
    result = cli("import", str(path), "--name", "a\x1b[2Jb")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: --name 'a\\x1b[2Jb' contains U+001B (a control character)\n"), result.stderr
    assert "\x1b" not in result.stderr
