"""Fuzzing issue 13's classes against the surfaces added since (issues 10-12): `cnncalc import` of hostile
Caffe, Darknet and ONNX files, `report` and `explain --format html` with hostile spec text, and `from:`
references with hostile names. Whatever the input: exit 0 or a clean exit 2, never a traceback or exit 3,
no control character reaching a terminal, nothing from the spec reaching a page as markup.

Each test takes a share of the hypothesis profile's examples (as tests/test_fuzz.py's issue 13 cases do);
the long run is ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py tests/test_fuzz_surfaces.py``.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.args import unsafe_character
from cnncalc.cli import app

from .test_import_hostile import caffe_with_names
from .torch_support import need

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "CNNCALC_DEBUG": ""}
SHARE = settings(max_examples=max(10, settings.default.max_examples // 10))

TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20)
MARKUP = st.text(st.sampled_from("<>&\"'/=:;()[]!- abcsript\\"), min_size=1, max_size=24)
HUGE = st.sampled_from(["9" * 5000, "99999999999999999999", "2147483648", "-2147483649", "0x10", "1e9", ""])


def cli(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), input=input, env=ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_clean(code: int, err: str, located: str | None = None) -> None:
    event(f"exit {code}")
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in err), err
    if code == 2 and located is not None:
        assert err.startswith(f"error: {located}"), err


def imported(name: str, content: str | bytes) -> tuple[int, str, str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        code, out, err = cli("import", str(path))
        return code, out, err, str(path)


def assert_imported_spec_is_valid(out: str) -> None:
    """What import writes is a spec cnncalc reads: the names at least are never what it refuses."""
    assert unsafe_character(out, allowed="\n") is None, out
    code, _, err = cli("summarize", "-", "-f", "csv", input=out)
    assert_clean(code, err, "<stdin>")
    assert "layer name" not in err, (err, out)


@SHARE
@given(st.lists(TEXT | MARKUP, min_size=1, max_size=5))
def test_import_of_hostile_caffe_names(names: list[str]) -> None:
    need("google.protobuf")
    code, out, err, path = imported("net.prototxt", caffe_with_names(names))
    assert_clean(code, err, path)
    assert code == 0, err  # every name, however hostile, becomes a spec name
    assert_imported_spec_is_valid(out)


CFG_LINES = st.sampled_from(
    [
        *("[net]", "width=16", "height=16", "channels=3", "[convolutional]", "filters=4", "size=3", "stride=2"),
        *("pad=1", "batch_normalize=1", "activation=leaky", "[maxpool]", "[route]", "layers=-1,-3", "layers=0"),
        *("[shortcut]", "from=-2", "[upsample]", "[connected]", "output=10", "[yolo]", "[avgpool]", "groups=2"),
        *("group_id=1", "# comment", "", "[", "=", "x=y", "[conv\x1b]0;t\x07]", "size=\u202e3", "filters=٣"),
    ]
)


@SHARE
@given(st.lists(CFG_LINES | HUGE.map(lambda v: f"filters={v}") | TEXT, max_size=25))
def test_import_of_random_darknet_cfg(lines: list[str]) -> None:
    code, out, err, path = imported("net.cfg", "\n".join(["[net]", "width=16", "height=16", *lines]) + "\n")
    assert_clean(code, err, path)
    if code == 0:
        assert_imported_spec_is_valid(out)


@SHARE
@given(st.data())
def test_import_of_damaged_onnx(data: st.DataObject) -> None:
    onnx = need("onnx")
    h, t = onnx.helper, onnx.TensorProto
    names = data.draw(st.lists(TEXT | MARKUP, min_size=2, max_size=2))
    nodes = [h.make_node("Relu", ["x"], ["a"], name=names[0]), h.make_node("Sigmoid", ["a"], ["y"], name=names[1])]
    x = h.make_tensor_value_info("x", t.FLOAT, [1, 3, 4, 4])
    graph = h.make_graph(nodes, data.draw(TEXT), [x], [h.make_tensor_value_info("y", t.FLOAT, None)])
    raw = bytearray(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]).SerializeToString())
    damage = data.draw(st.sampled_from(["none", "truncate", "flip", "append"]))
    if damage == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif damage == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    elif damage == "append":
        raw += data.draw(st.binary(min_size=1, max_size=20))
    code, out, err, path = imported("net.onnx", bytes(raw))
    assert_clean(code, err, path)
    if damage == "none":
        assert code == 0, err
    if code == 0:
        assert_imported_spec_is_valid(out)


def structure(page: str) -> tuple[Counter[str], Counter[str]]:
    """The page's elements and attributes, counted: what markup in spec text would change."""
    tags: Counter[str] = Counter()
    attributes: Counter[str] = Counter()

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags[tag] += 1
            attributes.update(name for name, _ in attrs)

    Parser().feed(page)
    return tags, attributes


def html_page(command: str, name: str, layer: str, description: str) -> tuple[int, str, str]:
    document = {
        "name": name,
        "description": description,
        "source": description,
        "input": [3, 8, 8],
        "layers": [{"conv": {"filters": 4, "kernel": 3, "name": layer}}, {"relu": {"from": layer}}],
    }
    args = ["report", "-"] if command == "report" else ["explain", "-", "-f", "html"]
    return cli(*args, input=yaml.safe_dump(document, allow_unicode=True))


@SHARE
@given(name=MARKUP | TEXT, layer=MARKUP, description=MARKUP | TEXT, command=st.sampled_from(["report", "explain"]))
def test_hostile_text_in_html(name: str, layer: str, description: str, command: str) -> None:
    """Escaped spec text leaves the page's structure as plain text would: the same elements and attributes."""
    code, page, err = html_page(command, name, layer, description)
    assert_clean(code, err, "<stdin>")
    if code == 0:
        plain = html_page(command, "n" if name else "", "l", "d" if description else "")
        assert plain[0] == 0, plain
        assert structure(page) == structure(plain[1]), (name, layer, description)


@SHARE
@given(reference=TEXT | MARKUP | st.lists(TEXT | MARKUP, max_size=3), fmt=st.sampled_from(["table", "json", "dot"]))
def test_hostile_from_references(reference: str | list[str], fmt: str) -> None:
    document = {
        "name": "t",
        "input": [3, 8, 8],
        "layers": [{"conv": {"filters": 4, "kernel": 3, "name": "c"}}, "relu", {"add": {"from": reference}}],
    }
    code, _, err = cli("summarize", "-", "-f", fmt, input=yaml.safe_dump(document, allow_unicode=True))
    assert_clean(code, err, "<stdin>:")
