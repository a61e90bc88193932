"""Fuzzing the whole command-line path: whatever the spec, cnncalc either answers (exit 0) or refuses
cleanly (exit 2, an ``error:`` message with a position in the spec, no traceback).

Inputs are random YAML documents, random text, and random mutations of the presets and example specs
(deleted keys, values of another type, extreme integers, random strings, duplicated items). The number of
examples follows the hypothesis profile (tests/conftest.py): ``dev`` 100 and ``ci`` 200 per test; a long
run is ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py --hypothesis-show-statistics`` (20,000 each).
The same classes on import, the HTML pages and ``from:`` are in tests/test_fuzz_surfaces.py; the long run of
every hostile class is in docs/development.md.
"""

from __future__ import annotations

import contextlib
import copy
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc import loader, spec, yaml_source
from cnncalc.args import MAX_SIZE
from cnncalc.cli import app

from .conftest import ROOT

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "CNNCALC_DEBUG": ""}
LOCATED = re.compile(r"error: <stdin>:\d+:\d+: ")
WHOLE_TEXT = (
    "<stdin>: is empty",
    "<stdin>: is a binary file",
    "<stdin>: is not UTF-8",
    "<stdin>: has no YAML document",
)


@pytest.fixture(autouse=True)
def small_expansion_limit() -> Iterator[None]:
    """A mutated repeat count can make a valid spec of up to a million layers, which would take seconds to
    analyse; a lower limit keeps the run bounded and still exercises the refusal."""
    saved = spec.MAX_LAYERS
    spec.MAX_LAYERS = 20_000
    yield
    spec.MAX_LAYERS = saved


def run(text: str, *options: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, ["summarize", "-", *options], input=text, env=ENV, catch_exceptions=False)
    return result.exit_code, result.stderr


def is_error(err: str) -> bool:
    """Whether stderr holds an error, not only the warnings and notes a valid spec may get."""
    return bool(err) and not err.startswith(("warning: ", "note: "))


def assert_clean(text: str, *options: str) -> str:
    """Exit 0, or exit 2 with a clean message; returns the message."""
    code, err = run(text, *options)
    event(f"exit {code}")  # shown by --hypothesis-show-statistics: how many results and refusals ran
    assert code in (0, 2), (code, err, text)
    assert "Traceback" not in err and "internal error" not in err, (err, text)
    if code == 2:
        headline = err.splitlines()[0]
        # an error about the text as a whole has no position; any other names the line and column
        assert LOCATED.match(headline) or any(m in headline for m in WHOLE_TEXT), (err, text)
    return err


# ------------------------------------------------------------------------------------- random data

EXTREME_INTS = st.sampled_from(
    [0, -1, 1, 2, 3, 7, MAX_SIZE, MAX_SIZE + 1, 2**63, 10**30, -(10**30), 10**4000]
)  # 4,001 digits: refused by the loader
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    EXTREME_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["same", "valid", "concat", "add", "conv", "relu", "$w", "yes", "010", "1e3", "1:30", "~"]),
    # issue 13: control, format, line-separator and non-BMP characters in any text
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        *("name", "input", "layers", "blocks", "conv", "filters", "kernel", "stride", "padding", "repeat", "times"),
        *("parallel", "merge", "branches", "params", "description", "relu", "fc", "units", "maxpool", "groups"),
    ]
)


@given(
    st.fixed_dictionaries(
        {"name": VALUES, "input": VALUES, "layers": VALUES},
        optional={"blocks": st.dictionaries(KEYS | st.text(max_size=6), VALUES, max_size=3), "source": VALUES},
    )
)
def test_random_documents(document: dict[str, Any]) -> None:
    assert_clean(yaml.safe_dump(document, allow_unicode=True))


@given(st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5)))
def test_random_structures(document: object) -> None:
    assert_clean(yaml.safe_dump(document, allow_unicode=True))


YAML_BITS = st.sampled_from(
    [
        *("name: n\n", "input: [3, 8, 8]\n", "layers:\n", "  - conv: {filters: 4, kernel: 3}\n", "  - relu\n"),
        *("- ", "  ", "\t", "{", "}", "[", "]", ": ", ", ", "&a ", "*a ", "<<: ", "!!str ", "---\n", "...\n"),
        *("'", '"', "#", "\n", "? ", "yes", "010", "1e3", "-", "|\n", ">\n", "%YAML 1.1\n", "\x00", "\ufeff", "é"),
        # issue 13: explicit tags, YAML-1.1-only numbers, integers past Python's 4,300-digit limit
        *("!!int ", "!!bool ", "!!float ", "!!null ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!foo "),
        *("0b11", "4_", "0.1_0", "0x1F", "0o17", "1_000", "9" * 4400, "0x" + "f" * 4000, ".inf", ".nan"),
    ]
)


@given(st.lists(YAML_BITS, max_size=30).map("".join) | st.text(max_size=200))
def test_random_text(text: str) -> None:
    assert_clean(text)
    with pure_python_parser():
        assert_clean(text)


# ------------------------------------------------------------------------------------ issue 13 cases

# A share of the profile's examples each, so that the CI fuzz budget stays what it was; the long profile
# still runs thousands of each.
SHARE = settings(max_examples=max(10, settings.default.max_examples // 10))

HUGE = st.sampled_from(["9" * 4400, "0x" + "f" * 4000, "-" + "9" * 4400, "1" + "0" * 40])
TAGGED = st.tuples(
    st.sampled_from(["!!int", "!!bool", "!!float", "!!str", "!!null", "!!binary", "!!timestamp"]),
    st.sampled_from(["'abc'", "'maybe'", "'1'", "3", "'0x10'", "''", "[1]", "{a: 1}", "'2001-13-45'"]),
).map(" ".join)
KNOBS = ["filters", "kernel", "stride", "padding", "scale_factor", "times", "max_params", "units", "rate", "groups"]


@SHARE
@given(st.sampled_from(KNOBS), HUGE | TAGGED | st.sampled_from(["0b11", "4_", "0.1_0", "1_0_", "0x_1"]))
def test_huge_integers_tags_and_yaml11_numbers(knob: str, value: str) -> None:
    text = (
        "name: t\ninput: [3, 8, 8]\nlayers:\n"
        f"  - conv: {{filters: 4, kernel: 3, {knob}: {value}}}\n"
        f"  - repeat: {{times: 2, layers: [upsample: {{scale_factor: 2}}]}}\n"
        f"checks: {{max_params: {value}}}\n"
    )
    assert_clean(text)


GROWING = st.sampled_from(
    [
        "upsample: {scale_factor: %d}",
        "zeropad: {padding: %d}",
        "deconv: {filters: 2, kernel: 2, stride: %d}",
        "conv: {filters: 2, kernel: 1, padding: %d}",
        "maxpool: {kernel: 1, padding: 0, stride: 1}",
    ]
)


@SHARE
@given(GROWING, st.integers(1, 10**6), st.integers(1, 60), st.sampled_from([(), ("-f", "json"), ("-f", "dot")]))
def test_growing_sizes(layer: str, factor: int, times: int, options: tuple[str, ...]) -> None:
    """Sizes that grow through the network stop at the first one past 2³¹ − 1 (were exit 3 in renderers)."""
    body = layer % factor if "%d" in layer else layer
    assert_clean(f"name: t\ninput: [2, 4, 4]\nlayers:\n  - repeat: {{times: {times}, layers: [{body}]}}\n", *options)


TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20)


@SHARE
@given(name=TEXT, layer=TEXT, description=TEXT, fmt=st.sampled_from(["table", "markdown", "csv", "dot", "mermaid"]))
def test_hostile_text_in_every_field(name: str, layer: str, description: str, fmt: str) -> None:
    """Control and non-BMP characters anywhere: refused at load time in names, never reaching the output."""
    document = {
        "name": name,
        "description": description,
        "input": [3, 8, 8],
        "layers": [{"conv": {"filters": 4, "kernel": 3, "name": layer}}, "relu"],
    }
    text = yaml.safe_dump(document, allow_unicode=True)
    code, _ = run(text, "-f", fmt)
    assert_clean(text, "-f", fmt)
    if code == 0:
        result = RUNNER.invoke(app, ["summarize", "-", "-f", fmt], input=text, env=ENV, catch_exceptions=False)
        shown = result.stdout
        assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch not in "\n" for ch in shown), shown


@SHARE
@given(name=TEXT, layer=TEXT, description=TEXT)
def test_export_then_compile(name: str, layer: str, description: str) -> None:
    """Whatever text the spec holds, `export --to pytorch` either refuses it cleanly or writes Python that
    compiles (running it is tests/test_export_hostile.py's job)."""
    document = {
        "name": name,
        "description": description,
        "source": description,
        "input": [3, 8, 8],
        "layers": [{"conv": {"filters": 4, "kernel": 3, "name": layer}}, {"side": {"layers": ["relu"]}}],
    }
    text = yaml.safe_dump(document, allow_unicode=True)
    result = RUNNER.invoke(app, ["export", "-", "--to", "pytorch"], input=text, env=ENV, catch_exceptions=False)
    assert result.exit_code in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        compile(result.stdout, "export.py", "exec")


# ------------------------------------------------------------------------------------------ mutations


def _bases() -> list[tuple[str, Any]]:
    texts = [(name, loader.preset_text(name)) for name in loader.preset_names()]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "specs").glob("*.yaml"))]
    return [(name, yaml.safe_load(text)) for name, text in texts]


BASES = _bases()


def _slots(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in the document, for a mutation to pick from."""
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((data, key))
            _slots(value, found)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.append((data, i))
            _slots(value, found)
    return found


MUTATIONS = ["delete", "replace", "extreme", "string", "wrap", "unwrap", "duplicate", "rename"]


@st.composite
def mutated_spec(draw: st.DrawFn) -> tuple[str, Any]:
    name, base = draw(st.sampled_from(BASES))
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(data, [])
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(MUTATIONS))
        value = container[key]
        if op == "delete":
            del container[key]
        elif op == "replace":
            container[key] = draw(VALUES)
        elif op == "extreme":
            container[key] = draw(EXTREME_INTS)
        elif op == "string":
            container[key] = draw(st.text(max_size=10) | st.sampled_from(["3", "three", "", "$w", "same"]))
        elif op == "wrap":
            container[key] = [value] if draw(st.booleans()) else {draw(KEYS): value}
        elif op == "unwrap" and isinstance(value, (list, dict)) and value:
            container[key] = next(iter(value.values())) if isinstance(value, dict) else value[0]
        elif op == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(value))
        elif op == "rename" and isinstance(container, dict):
            new_key = draw(KEYS | st.text(max_size=8))
            container[new_key] = container.pop(key)
    return name, data


@given(mutated_spec(), st.sampled_from([(), ("-f", "json"), ("-f", "csv"), ("-f", "markdown"), ("--depth", "1")]))
def test_mutated_specs(case: tuple[str, Any], options: tuple[str, ...]) -> None:
    _, data = case
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    err = assert_clean(text, *options)
    if is_error(err):  # a mutated spec is never empty or binary: the error must say where
        assert LOCATED.match(err), (err, text)


@given(mutated_spec())
def test_mutated_specs_with_the_pure_python_parser(case: tuple[str, Any]) -> None:
    _, data = case
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pure_python_parser():
        err = assert_clean(text)
    if is_error(err):
        assert LOCATED.match(err), (err, text)


@contextlib.contextmanager
def pure_python_parser() -> Iterator[None]:
    saved = yaml_source._Loader
    yaml_source._Loader = yaml.SafeLoader
    try:
        yield
    finally:
        yaml_source._Loader = saved
