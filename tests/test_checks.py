"""The ``checks:`` grammar: exact quantities with units, shapes, and located problems."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc.args import ArgProblem
from cnncalc.checks import BYTE_UNITS, CHECK_KEYS, COUNT_UNITS, Checks, Dims, Expectation, Quantity, parse_checks

COUNT = Quantity("parameters", instead="max_param_bytes")
BYTES = Quantity("bytes", in_bytes=True)

QUANTITIES = [
    # decimal prefixes multiply by powers of 1000 (SI); the result is exact, never a rounded float
    pytest.param(COUNT, "7M", 7 * 1000**2, id="7M"),
    pytest.param(COUNT, "1.6G", 16 * 1000**3 // 10, id="1.6G-exact"),
    pytest.param(COUNT, "6_998_552", 6_998_552, id="underscores"),
    pytest.param(COUNT, 6_998_552, 6_998_552, id="yaml-int"),
    pytest.param(COUNT, "250k", 250 * 1000, id="lowercase-k"),
    pytest.param(COUNT, "250 K", 250 * 1000, id="space-before-unit"),
    pytest.param(COUNT, "0.3M", 3 * 1000**2 // 10, id="0.3M"),
    pytest.param(COUNT, "1.5T", 15 * 1000**4 // 10, id="1.5T"),
    pytest.param(COUNT, "1.6e9", 16 * 10**8, id="exponent-text"),
    pytest.param(COUNT, 1.6e9, 16 * 10**8, id="yaml-float-exponent"),  # YAML 1.2 reads 1.6e9 as a number
    pytest.param(COUNT, 0, 0, id="zero"),
    # 0.1 + 0.2 in floats is 0.30000000000000004; here 0.3G must be exactly 300,000,000
    pytest.param(COUNT, "0.3G", 3 * 10**8, id="no-float-rounding"),
    pytest.param(COUNT, "1_234.5K", 12345 * 100, id="underscores-and-fraction"),
    # bytes: decimal (KB, MB, GB, TB) and binary (IEC: KiB = 1024, MiB = 1024², GiB = 1024³)
    pytest.param(BYTES, "250MB", 250 * 1000**2, id="250MB"),
    pytest.param(BYTES, "250M", 250 * 1000**2, id="250M-bytes"),
    pytest.param(BYTES, "2KiB", 2 * 1024, id="2KiB"),
    pytest.param(BYTES, "30MiB", 30 * 1024**2, id="30MiB"),
    pytest.param(BYTES, "1.5GiB", 3 * 1024**3 // 2, id="1.5GiB"),
    pytest.param(BYTES, "1TiB", 1024**4, id="1TiB"),
    pytest.param(BYTES, "512B", 512, id="bytes"),
    pytest.param(BYTES, "1.5kB", 1500, id="1.5kB"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), QUANTITIES)
def test_quantity_is_exact(kind: Quantity, text: object, expected: int) -> None:
    assert kind.parse(text) == expected


BAD_QUANTITIES = [
    pytest.param(COUNT, "7MB", "7MB is a size in bytes, but this counts parameters", "max_param_bytes", id="MB-count"),
    pytest.param(COUNT, "1GiB", "1GiB is a size in bytes", "write 1G for a count", id="GiB-count"),
    pytest.param(BYTES, "30Mi", "binary prefixes measure bytes", "write 30MiB", id="Mi-without-B"),
    pytest.param(COUNT, "1.2345K", "1.2345K is 1234.5, not a whole number", "fewer decimal places", id="fraction"),
    pytest.param(COUNT, "7X", "unknown unit 'X'", "7M", id="unknown-unit"),
    pytest.param(COUNT, "7m", "unknown unit 'm'", "did you mean 'M'?", id="milli-is-not-mega"),
    pytest.param(COUNT, -3, "must be at least 0", None, id="negative"),
    pytest.param(COUNT, "-3", "expected a number of parameters", None, id="negative-text"),
    pytest.param(COUNT, True, "a boolean", None, id="bool"),
    pytest.param(COUNT, [7], "a list", None, id="list"),
    pytest.param(COUNT, float("inf"), "got inf", None, id="infinity"),
    pytest.param(COUNT, "1e40", "far too large", None, id="huge-exponent"),
    pytest.param(COUNT, "7,000,000", "expected a number of parameters", None, id="commas"),
]


@pytest.mark.parametrize(("kind", "value", "message", "hint"), BAD_QUANTITIES)
def test_quantity_errors(kind: Quantity, value: object, message: str, hint: str | None) -> None:
    with pytest.raises(ArgProblem) as info:
        kind.parse(value)
    assert message in info.value.message
    if hint is not None:
        assert info.value.hint is not None and hint in info.value.hint


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(sorted(BYTE_UNITS)),
)
def test_quantity_agrees_with_fractions(whole: int, thousandths: int, unit: str) -> None:
    # an independent exact computation: Python's Fraction of the decimal text times the unit's factor
    text = f"{whole:_}.{thousandths:03d}{unit}"
    exact = Fraction(f"{whole}.{thousandths:03d}") * BYTE_UNITS[unit]
    if exact.denominator == 1:
        assert BYTES.parse(text) == exact
    else:
        with pytest.raises(ArgProblem, match="not a whole number"):
            BYTES.parse(text)


def test_units_are_si_and_iec() -> None:
    assert COUNT_UNITS["G"] == 10**9 and BYTE_UNITS["GB"] == 10**9 and BYTE_UNITS["GiB"] == 2**30
    assert not set(COUNT_UNITS) & {"B", "KB", "KiB"}  # byte units are not counts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param([1000], (1000,), id="vector"),
        pytest.param([256, 28, 28], (256, 28, 28), id="2d"),
        pytest.param([3, 16, 112, 112], (3, 16, 112, 112), id="3d"),
    ],
)
def test_dims(value: object, expected: tuple[int, ...]) -> None:
    assert Dims().parse(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("256x28x28", "expected a shape such as [256, 28, 28]", id="text"),
        pytest.param([], "expected a shape", id="empty"),
        pytest.param([1, 0], "dimension 2: must be positive", id="zero"),
        pytest.param([1, 2, 3, 4, 5], "at most 4 dimensions", id="rank-5"),
        pytest.param([1.0], "dimension 1: expected a whole number", id="float"),
    ],
)
def test_dims_errors(value: object, message: str) -> None:
    with pytest.raises(ArgProblem, match=re.escape(message)):
        Dims().parse(value)


# ------------------------------------------------------------------------------------- the section

SPEC = """\
name: t
input: [1, 28, 28]
checks:
{checks}
layers:
  - conv: {{name: c1, filters: 8, kernel: 3}}
"""


def test_checks_section_is_parsed_into_the_spec() -> None:
    spec = cnncalc.loads(
        SPEC.format(checks="  max_params: 1K\n  strict: true\n  dtype: float16\n  layers:\n    c1: {params: 80}")
    )
    assert spec.checks == Checks(
        (
            Expectation("max_params", 1000, "1K", None, ("checks", "max_params")),
            Expectation("params", 80, "80", "c1", ("checks", "layers", "c1", "params")),
        ),
        strict=True,
        dtype="float16",
    )


def test_a_spec_without_checks_has_none() -> None:
    assert not cnncalc.loads(SPEC.format(checks="").replace("checks:\n\n", "")).checks
    assert not cnncalc.loads(SPEC.format(checks="")).checks  # `checks:` with nothing under it


BAD_SECTIONS = [
    # (checks text, line, column, message, hint)
    pytest.param("  max_params: 7MB", 4, 15, "max_params: 7MB is a size in bytes", "max_param_bytes", id="bytes-unit"),
    pytest.param("  max_parms: 7M", 4, 3, "checks have no key 'max_parms'", "did you mean 'max_params'?", id="typo"),
    pytest.param("  output_shape: 1000", 4, 17, "output_shape: expected a shape", "as a list", id="shape-text"),
    pytest.param("  strict: yes", 4, 11, "strict: yes is ambiguous", None, id="yaml11-bool"),
    pytest.param("  dtype: float8", 4, 10, "dtype: expected one of float64", None, id="dtype"),
    pytest.param("  batch: 0", 4, 10, "batch: must be positive", None, id="batch"),
    pytest.param("  layers:\n    c1: {parms: 3}", 5, 10, "c1: no expectation 'parms'", "'params'", id="layer-key"),
    pytest.param("  layers:\n    c1: [1]", 5, 9, "the expectations of c1 must be a mapping", None, id="layer-list"),
    pytest.param("  layers: [c1]", 4, 11, "checks.layers must be a mapping", None, id="layers-list"),
    pytest.param("  - max_params: 1", 4, 3, "checks must be a mapping", None, id="section-list"),
]


@pytest.mark.parametrize(("checks", "line", "column", "message", "hint"), BAD_SECTIONS)
def test_bad_checks_are_located(checks: str, line: int, column: int, message: str, hint: str | None) -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.loads(SPEC.format(checks=checks), "net.yaml")
    d = info.value.diagnostics[0]
    assert d.location is not None and (d.location.line, d.location.column) == (line, column)
    assert message in d.message
    if hint is not None:
        assert d.hint is not None and hint in d.hint


def test_every_problem_in_the_section_is_reported() -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.loads(SPEC.format(checks="  max_params: 7MB\n  macs: lots\n  strict: 1"))
    assert [d.location.line for d in info.value.diagnostics if d.location] == [4, 5, 6]


def test_flags_override_the_file() -> None:
    file = Checks(
        (Expectation("max_params", 10, "10", None, ("checks", "max_params")), Expectation("params", 5, "5")),
        strict=True,
        batch=2,
    )
    flags = Checks((Expectation("max_params", 20, "20"),), strict=False)
    merged = file.override(flags)
    assert merged.expectations == (Expectation("params", 5, "5"), Expectation("max_params", 20, "20"))
    assert (merged.strict, merged.batch, merged.dtype) == (False, 2, None)


def test_every_budget_is_max_of_a_figure() -> None:
    budgets = {k for k, key in CHECK_KEYS.items() if key.budget}
    assert budgets == {"max_params", "max_macs", "max_flops", "max_activation_bytes", "max_param_bytes"}
    for name in budgets:
        key = CHECK_KEYS[name]
        assert key.figure is not None and name == f"max_{key.figure.name}"
        assert isinstance(key.type, Quantity) and key.type.in_bytes == name.endswith("_bytes")


def test_checks_parse_from_python_data() -> None:
    checks, problems = parse_checks({"max_macs": "1.6G", "layers": {"a/b": {"output_shape": [1]}}}, ())
    assert not problems
    assert [(e.key, e.value, e.layer, e.origin) for e in checks.expectations] == [
        ("max_macs", 1_600_000_000, None, ("max_macs",)),
        ("output_shape", (1,), "a/b", ("layers", "a/b", "output_shape")),
    ]
