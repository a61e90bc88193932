"""Integer expressions in block arguments and repeat counts: values, located errors showing the expression
and its parameters, no eval, the JSON Schema, and the expansion limit."""

from __future__ import annotations

import re

import jsonschema
import pytest

import cnncalc
from cnncalc.errors import SpecError
from cnncalc.expressions import ExpressionError, evaluate
from cnncalc.schema import spec_schema

ENV = {"c": 16, "k": 3, "w": 96, "gw": 24, "zero": 0}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("$c * 6", 16 * 6, id="times"),
        pytest.param("($k - 1) // 2", (3 - 1) // 2, id="same-padding"),
        pytest.param("$w // $gw", 96 // 24, id="group-count"),
        pytest.param("$c + $k * 2", 16 + 3 * 2, id="precedence"),
        pytest.param("($c + $k) * 2", (16 + 3) * 2, id="parentheses"),
        pytest.param("-$k + 10", -3 + 10, id="unary-minus"),
        pytest.param("$c - $k - 1", 16 - 3 - 1, id="left-associative"),
        pytest.param("-7 // 2", -7 // 2, id="floor-division"),
        pytest.param("$c % 5", 16 % 5, id="modulo"),
        pytest.param("min($c, 8) + max(1, $k)", 8 + 3, id="min-max"),
        pytest.param("max(min($c, $w), $k * $k)", max(min(16, 96), 3 * 3), id="nested-calls"),
        pytest.param("  $c*2  ", 32, id="spaces"),
    ],
)
def test_values(text: str, value: int) -> None:
    assert evaluate(text, ENV.__getitem__) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("$c // $zero", "division by zero (16 // 0)", id="division-by-zero"),
        pytest.param("$c % (1 - 1)", "division by zero", id="modulo-zero"),
        pytest.param("$c / 2", "cannot read '/ 2'", id="true-division"),
        pytest.param("$c * 1.5", "cannot read '.5'", id="float"),
        pytest.param("__import__('os')", "cannot read '__import__'", id="no-eval"),
        pytest.param("($c + 1", "ends too early", id="unclosed"),
        pytest.param("$c +", "ends too early", id="dangling-operator"),
        pytest.param("$c 2", "unexpected '2'", id="two-values"),
        pytest.param("(" * 60 + "$c" + ")" * 60, "nests deeper than 50 levels", id="deep"),
        pytest.param("pow(2, 3)", "cannot read 'pow(2, 3)'", id="unknown-function"),
    ],
)
def test_bad_expressions(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        evaluate(text, ENV.__getitem__)


def spec(body: str, calls: str) -> str:
    return (
        f"name: t\ninput: [8, 16, 16]\nblocks:\n  b:\n    params: {{c: ~, k: 3}}\n    layers:\n{body}layers:\n{calls}"
    )


def test_block_with_expressions() -> None:
    text = spec(
        "      - conv: {filters: $c * 6, kernel: [$k, 1], padding: [($k - 1) // 2, 0], groups: $c // 8}\n"
        "      - repeat: {times: $k - 1, layers: [relu]}\n",
        "  - b: {c: 16, k: 5}\n",
    )
    r = cnncalc.analyze(cnncalc.loads(text))
    conv = r.find("b1/conv1")
    assert conv is not None and conv.output_shape == (16 * 6, 16, 16)
    # groups 16 // 8 = 2: each filter sees 8 / 2 input channels of a 5×1 window
    assert conv.params == 5 * 1 * (8 // 2) * (16 * 6) + 16 * 6  # type: ignore[union-attr]
    assert r.find("b1/repeat1/4/relu1") is not None and r.find("b1/repeat1/5") is None  # 5 − 1 copies


@pytest.mark.parametrize(
    ("body", "calls", "message", "line"),
    [
        pytest.param(
            "      - conv: {filters: $c * 6 - 96, kernel: 1}\n",
            "  - b: {c: 16}\n",
            "filters: must be positive, got 0 (from `$c * 6 - 96` with c = 16)",
            7,
            id="size-zero",
        ),
        pytest.param(
            "      - conv: {filters: $c // ($k - 3), kernel: 1}\n",
            "  - b: {c: 16}\n",
            "`$c // ($k - 3)`: division by zero (16 // 0) (c = 16, k = 3)",
            7,
            id="division-by-zero",
        ),
        pytest.param(
            "      - conv: {filters: $c * 2, kernel: 1}\n",
            "  - b: {c: wide}\n",
            "`$c * 2`: $c is 'wide', not an integer (c = 'wide')",
            7,
            id="not-an-integer",
        ),
        pytest.param(
            "      - conv: {filters: $cc * 2, kernel: 1}\n",
            "  - b: {c: 4}\n",
            "$cc is not a parameter of block 'b'",
            7,
            id="unknown-name",
        ),
        pytest.param(
            "      - conv: {filters: max($c, 4), kernel: 1}\n",
            "  - b: {c: 4}\n",
            "`max($c`: the expression ends too early",
            7,
            id="flow-comma",
        ),
        pytest.param(
            "      - repeat: {times: $k - 3, layers: [relu]}\n",
            "  - b: {c: 4}\n",
            "times: must be positive, got 0 (from `$k - 3` with k = 3)",
            7,
            id="repeat-zero",
        ),
        pytest.param(
            "      - relu\n",
            "  - conv: {filters: $c * 2, kernel: 1}\n",
            "$c * 2 refers to block parameters, but this layer is not inside a block",
            9,
            id="outside-a-block",
        ),
    ],
)
def test_expression_errors_are_located(body: str, calls: str, message: str, line: int) -> None:
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(cnncalc.loads(spec(body, calls), "net.yaml"))
    diag = info.value.diagnostics[0]
    assert message in diag.message
    assert diag.location is not None and diag.location.line == line


def test_flow_comma_hint_says_to_quote() -> None:
    text = spec("      - conv: {filters: max($c, 4), kernel: 1}\n", "  - b: {c: 4}\n")
    with pytest.raises(SpecError) as info:
        cnncalc.loads(text)
    assert 'quote the expression, "min($a, $b)"' in (info.value.diagnostics[0].hint or "")


def test_expansion_limit_counts_expression_repeats_before_expanding() -> None:
    text = spec("      - repeat: {times: $k * 1000, layers: [relu]}\n", "  - b: {c: 1, k: 1000}\n")
    with pytest.raises(SpecError, match="expands to more than 100,000 layers"):
        cnncalc.loads(text)


def test_schema_accepts_expressions() -> None:
    validator = jsonschema.Draft202012Validator(spec_schema())
    data = {
        "name": "t",
        "input": [8, 16, 16],
        "blocks": {
            "b": {
                "params": ["c", "k"],
                "layers": [
                    {"conv": {"filters": "$c * 6", "padding": "($k - 1) // 2", "kernel": ["$k", 1]}},
                    {"repeat": {"times": "max($k, 2)", "layers": ["relu"]}},
                ],
            }
        },
        "layers": [{"b": {"c": 4, "k": 3}}],
    }
    assert list(validator.iter_errors(data)) == []
    data["layers"] = [{"conv": {"filters": "6 *", "kernel": 1}}]
    assert list(validator.iter_errors(data))
