"""Reading YAML: the YAML 1.1 surprises, duplicates, aliases, and files that are not specs."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc import yaml_source

HEAD = "name: t\ninput: [3, 8, 8]\nlayers:\n"


def fails(text: str) -> cnncalc.Diagnostic:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.loads(text, "net.yaml")
    return info.value.diagnostics[0]


@pytest.mark.parametrize(
    ("layer", "message", "hint"),
    [
        pytest.param(
            "  - conv: {filters: yes, kernel: 1}",
            "filters: yes is ambiguous: YAML 1.1 (PyYAML) reads it as true, YAML 1.2 as text",
            "write a number",
            id="yes-for-int",
        ),
        pytest.param(
            "  - conv: {filters: 4, kernel: 1, bias: off}",
            "bias: off is ambiguous: YAML 1.1 (PyYAML) reads it as false",
            "write true or false",
            id="off-for-bool",
        ),
        pytest.param(
            "  - conv: {filters: 010, kernel: 1}",
            "filters: 010 is ambiguous: YAML 1.1 (PyYAML) reads it as octal 8, YAML 1.2 as decimal 10",
            "write the number without the leading 0",
            id="octal",
        ),
        pytest.param(
            "  - conv: {filters: 1:30, kernel: 1}",
            "filters: 1:30 is ambiguous: YAML 1.1 reads it as the base-60 number 90",
            "quote it, or write a plain number",
            id="sexagesimal",
        ),
        pytest.param(
            "  - conv: {filters: 1e3, kernel: 1}",
            "filters: expected a whole number, got 1000.0",
            "write 1000 without a fraction or exponent",
            id="exponent-for-int",
        ),
        pytest.param(
            "  - conv: {filters: 4.0, kernel: 1}",
            "filters: expected a whole number, got 4.0",
            "write 4 without a fraction or exponent",
            id="float-for-int",
        ),
        pytest.param(
            "  - conv: {filters: '4', kernel: 1}",
            "filters: expected a whole number, got '4' (text)",
            "write it without quotes: 4",
            id="quoted-int",
        ),
        pytest.param(
            "  - conv: {name: no, filters: 4, kernel: 1}",
            "no is ambiguous",
            "quote it to mean text",
            id="no-as-name",
        ),
        pytest.param(
            "  - conv: {name: 12, filters: 4, kernel: 1}",
            "a layer name must be text, got 12 (an integer)",
            "quote it: '12'",
            id="int-as-name",
        ),
        pytest.param(
            "  - dropout: {rate: .nan}",
            "rate: expected a finite number, got nan",
            None,
            id="nan",
        ),
    ],
)
def test_yaml_surprises(layer: str, message: str, hint: str | None) -> None:
    diag = fails(HEAD + layer + "\n")
    assert message in diag.message
    assert diag.hint == hint
    assert diag.location is not None and diag.location.line == 4


def test_exponent_reads_as_a_number_where_a_number_belongs() -> None:
    # YAML 1.1 reads 1e-4 as text; everyone means the number
    spec = cnncalc.loads(HEAD + "  - lrn: {alpha: 1e-4, beta: 75e-2}\n")
    layer = spec.layers[0].layer  # type: ignore[union-attr]
    assert (layer.alpha, layer.beta) == (0.0001, 0.75)  # type: ignore[attr-defined]


def test_underscores_in_integers() -> None:
    spec = cnncalc.loads(HEAD + "  - fc: {units: 1_000}\n")
    assert cnncalc.analyze(spec).output_shape == (1000,)


def test_duplicate_keys_are_errors() -> None:
    diag = fails(HEAD + "  - conv: {filters: 4, kernel: 1, filters: 8}\n")
    assert diag.message == "duplicate key 'filters' (first at line 4)"
    assert diag.location is not None and (diag.location.line, diag.location.column) == (4, 35)


def test_anchors_aliases_and_merge_keys() -> None:
    text = """\
name: t
input: [3, 8, 8]
layers:
  - conv: &c3 {filters: 8, kernel: 3, padding: 1}
  - conv: *c3
  - conv: {<<: *c3, filters: 16}
"""
    report = cnncalc.analyze(cnncalc.loads(text))
    assert [row.output_shape for row in report.layers] == [(8, 8, 8), (8, 8, 8), (16, 8, 8)]
    assert report.layers[2].params == 3 * 3 * 8 * 16 + 16


def test_alias_bomb_is_cheap() -> None:
    # "billion laughs": 9 levels of 9 aliases would be 9^9 strings if expanded
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = "name: t\ninput: [3]\nbomb:\n" + "\n".join("  " + line for line in lines) + "\nlayers: [relu]\n"
    start = time.perf_counter()
    diag = fails(text)
    assert time.perf_counter() - start < 2
    assert diag.message == "unknown top-level key 'bomb'"


def test_recursive_alias_does_not_hang() -> None:
    diag = fails("name: t\ninput: [3]\nlayers: &l [*l]\n")
    assert diag.message == "the alias *l is inside the value it names (a recursive structure)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "is empty", id="empty"),
        pytest.param("# only a comment\n", "has no YAML document", id="comments-only"),
        pytest.param("- relu\n", "a spec is a mapping with name, input and layers, got a list", id="list-top-level"),
        pytest.param("name: a\n---\nname: b\n", "contains more than one YAML document", id="two-documents"),
        pytest.param("name: t\ninput: [3, 8, 8\n", "invalid YAML", id="syntax"),
        pytest.param("name: t\ninput: !!binary aGk=\nlayers: [relu]\n", "unsupported YAML tag", id="tag"),
        pytest.param("name: t\ninput: [3, 8]\nlayers:\n\t- relu\n", "invalid YAML", id="tab"),
    ],
)
def test_not_a_spec(text: str, message: str) -> None:
    assert message in fails(text).headline()


def test_tab_gets_a_hint() -> None:
    diag = fails("name: t\ninput: [3, 8]\nlayers:\n\t- relu\n")
    assert diag.hint == "YAML does not allow tabs for indentation: indent with spaces"
    assert diag.location is not None and diag.location.line == 4


def test_syntax_error_location() -> None:
    diag = fails("name: t\ninput: [3, 8, 8\nlayers: [relu]\n")
    assert diag.location is not None and diag.location.line == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\xff\xfename: t\n", "is not UTF-8 text (byte 0xff at offset 0)", id="latin1"),
        pytest.param(b"\x00\x01\x02binary", "is a binary file, not YAML text", id="binary"),
    ],
)
def test_file_encodings(spec_file: Callable[..., Path], tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "net.yaml"
    path.write_bytes(content)
    with pytest.raises(cnncalc.SpecError, match=re.escape(message)):
        cnncalc.load(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(cnncalc.SpecError, match="no such file"):
        cnncalc.load(tmp_path / "absent.yaml")
    with pytest.raises(cnncalc.SpecError, match="is a directory"):
        cnncalc.load(tmp_path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_bytes("\ufeffname: t\ninput: [3]\nlayers: [relu]\n".encode())
    assert cnncalc.load(path).name == "t"


def test_loading_never_writes_the_spec(spec_file: Callable[..., Path]) -> None:
    path = spec_file(HEAD + "  - relu\n")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    cnncalc.analyze(cnncalc.load(path))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_an_error_found_after_loading_still_points_at_the_spec() -> None:
    """The loader lets the YAML node graph go once the spec is built (memory); an error the analysis finds
    later composes it again from the text, with the same location and excerpt."""
    text = "name: x\ninput: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, kernel: 3}\n  - conv: {filters: 4, kernel: 30}\n"
    spec = cnncalc.loads(text, "net.yaml")
    assert spec.source_map._root is None  # type: ignore[attr-defined]  # released
    with pytest.raises(cnncalc.SpecError) as exc:
        cnncalc.analyze(spec)
    rendered = exc.value.render()
    assert "net.yaml:5:32: conv2: output height would be 0" in rendered
    assert "  - conv: {filters: 4, kernel: 30}" in rendered


def test_repeated_layers_share_what_they_compute() -> None:
    """A layer applied to the same input shape again (blocks, repeats) shares its Calc: memory per row."""
    text = (
        "name: x\ninput: [8, 8, 8]\nlayers:\n"
        "  - repeat: {times: 3, layers: [conv: {filters: 8, kernel: 3, padding: 1}]}\n"
    )
    report = cnncalc.analyze(cnncalc.loads(text))
    convs = [row for row in report.layers if row.type == "conv"]
    assert len(convs) == 3 and convs[0].calc is convs[1].calc is convs[2].calc
    assert [row.macs for row in convs] == [3 * 3 * 8 * 8 * 8 * 8] * 3  # k·k·C_in·C_out·H·W each


# ------------------------------------------------------------- the plain reading and the composer agree


def _outcomes(text: str) -> tuple[object, object]:
    """What the plain reading gives (``UNUSUAL`` when it leaves the text to the composer), and what the
    composer gives: the data, or its error as text."""
    fast = yaml_source._plain_data(text)
    slow: object
    parser = yaml_source._Loader(text)
    try:
        slow = yaml_source._composed(parser, "net.yaml", text.splitlines(), text)[0]
    except cnncalc.SpecError as exc:
        slow = f"error: {exc}"
    except yaml.YAMLError as exc:
        slow = f"YAML error: {exc}"
    finally:
        parser.dispose()
    return fast, slow


def _agree(text: str) -> bool:
    """Whether the plain reading gives the composer's data exactly (repr: 1 is not 1.0, nan is nan), or
    hands the text back; returns whether it read the text itself."""
    fast, slow = _outcomes(text)
    if fast is yaml_source._UNUSUAL:
        return False
    assert not isinstance(slow, str) or not slow.startswith(("error:", "YAML error:")), (text, slow)
    assert repr(fast) == repr(slow), text
    return True


SPEC_TEXTS = [
    *(pytest.param(cnncalc.loader.preset_text(name), id=name) for name in cnncalc.preset_names()),
    *(pytest.param(path.read_text(encoding="utf-8"), id=path.stem) for path in sorted(Path("specs").glob("*.yaml"))),
]


@pytest.mark.parametrize("text", SPEC_TEXTS)
def test_the_plain_reading_of_every_preset_and_example_is_the_composers(text: str) -> None:
    read = _agree(text)
    assert read or re.search(r"[&*!]|<<", text)  # only anchors, aliases, merges and tags go to the composer


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &x [1]\nb: *x\n", id="anchor-alias"),
        pytest.param("a: {<<: {b: 1}, c: 2}\n", id="merge-key"),
        pytest.param("a: !!str 5\n", id="tag"),
        pytest.param("a: 1\na: 2\n", id="duplicate-key"),
        pytest.param("1: a\n1.0: b\n", id="equal-keys-1-and-1.0"),
        pytest.param("? [a]\n: b\n", id="list-as-key"),
        pytest.param("yes: 1\n", id="ambiguous-key"),
        pytest.param("a: 1\n---\nb: 2\n", id="two-documents"),
        pytest.param("# only a comment\n", id="no-document"),
        pytest.param("a: [1, 2\n", id="invalid-yaml"),
        pytest.param("a: " + "[" * 64 + "]" * 64 + "\n", id="65-levels"),
        pytest.param("a: !!int 0x" + "f" * 4000 + "\n", id="too-many-digits"),
        pytest.param("a: <<\n", id="merge-as-value"),
    ],
)
def test_the_plain_reading_leaves_the_rest_to_the_composer(text: str) -> None:
    """Anything beyond plain values, and every document the composer refuses, is handed back to it."""
    assert yaml_source._plain_data(text) is yaml_source._UNUSUAL


_TOKENS = [
    *["a", "relu", "conv", "name", "16", "-3", "0", "1.5", "1e-4", "1E3", ".5", "+7", "0x1F", "0o17", "0b11"],
    *["010", "1_000", "4_", "1:30", "yes", "no", "on", "off", "y", "True", "false", "null", "~", ".nan", ".inf"],
    *["-.inf", "2026-11-29", '"16"', "'yes'", '"a\\tb"', "'it''s'", '"é ☃"', "<<", "&a 1", "*a", "!!str 5"],
    *["!!float 3", "!x y", "''", '""', "[]", "{}", "a b", "$c", "$c * 2"],
]


def _flow(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(_TOKENS)
    if depth == 0:
        return leaf
    inner = _flow(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(leaf, inner), max_size=4).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
    )


@given(st.lists(st.tuples(st.sampled_from(_TOKENS), _flow(3)), min_size=1, max_size=5))
def test_the_plain_reading_agrees_with_the_composer(pairs: list[tuple[str, str]]) -> None:
    """On any document of the tokens YAML reads in surprising ways, nested in lists and mappings: the plain
    reading gives the composer's data, or leaves the document to it."""
    _agree("".join(f"{key}: {value}\n" for key, value in pairs))
    _agree("- " + "\n- ".join(value for _, value in pairs) + "\n")
