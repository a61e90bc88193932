"""The spec language: names, paths, parallel, blocks, repeat, and errors with their locations."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cnncalc

from .conftest import Result


def names(layers: list[Any], input_shape: list[int] | None = None, **extra: Any) -> list[str]:
    spec = cnncalc.from_dict({"name": "t", "input": input_shape or [4, 16, 16], "layers": layers, **extra})
    return [row.name for row in cnncalc.analyze(spec).layers]


def error(text: str) -> cnncalc.SpecError:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.analyze(cnncalc.loads(textwrap.dedent(text), "net.yaml"))
    return info.value


CONV = {"conv": {"filters": 4, "kernel": 1}}


def test_automatic_names_count_every_layer_of_a_type() -> None:
    layers = [CONV, {"conv": {"name": "stem", "filters": 4, "kernel": 1}}, CONV, "relu", "relu"]
    # the third conv is conv3 whether or not the second is named
    assert names(layers) == ["conv1", "stem", "conv3", "relu1", "relu2"]


def test_aliases_number_with_their_kind() -> None:
    assert names([{"conv2d": {"filters": 4, "kernel": 1}}, CONV, {"linear": {"units": 3}}]) == ["conv1", "conv2", "fc1"]


def test_parallel_paths_and_merge_row() -> None:
    layers = [{"parallel": {"merge": "concat", "branches": [[CONV, "relu"], [CONV], []]}}]
    assert names(layers) == ["parallel1/b1/conv1", "parallel1/b1/relu1", "parallel1/b2/conv1", "parallel1/concat"]


def test_empty_branch_is_the_identity() -> None:
    spec = cnncalc.from_dict(
        {"name": "t", "input": [4, 8, 8], "layers": [{"parallel": {"merge": "add", "branches": [[CONV], []]}}]}
    )
    merge = cnncalc.analyze(spec).layers[-1]
    assert merge.input_shapes == ((4, 8, 8), (4, 8, 8))
    assert merge.inputs == ("parallel1/b1/conv1", "input")


def test_repeat_copies_are_numbered() -> None:
    layers = [{"repeat": {"times": 2, "layers": [CONV, "relu"]}}, CONV]
    assert names(layers) == ["repeat1/1/conv1", "repeat1/1/relu1", "repeat1/2/conv1", "repeat1/2/relu1", "conv1"]


BLOCKS = {
    "unit": {"params": ["width"], "layers": [{"conv": {"filters": "$width", "kernel": 3, "padding": 1}}, "relu"]},
    "mixed": {
        "params": {"a": 8, "b": None},
        "layers": [
            {"parallel": {"merge": "concat", "branches": [[{"unit": {"width": "$a"}}], [{"unit": {"width": "$b"}}]]}}
        ],
    },
}


def test_block_instance_is_a_scope() -> None:
    assert names([{"unit": {"name": "u", "width": 8}}, {"unit": {"width": 4}}], blocks=BLOCKS) == [
        "u/conv1",
        "u/relu1",
        "unit2/conv1",
        "unit2/relu1",
    ]


def test_block_whose_body_is_one_parallel_is_that_parallel() -> None:
    # mixed's body is a single unnamed parallel: its branches hang directly under the instance
    rows = names([{"mixed": {"name": "m", "b": 2}}], blocks=BLOCKS)
    assert rows == ["m/b1/unit1/conv1", "m/b1/unit1/relu1", "m/b2/unit1/conv1", "m/b2/unit1/relu1", "m/concat"]


def test_block_parameters_and_defaults() -> None:
    spec = cnncalc.from_dict({"name": "t", "input": [4, 8, 8], "blocks": BLOCKS, "layers": [{"mixed": {"b": 2}}]})
    report = cnncalc.analyze(spec)
    # default a = 8 and given b = 2 filters: 8 + 2 channels after the concat
    assert report.output_shape == (8 + 2, 8, 8)
    assert report.find("mixed1").output_shape == (10, 8, 8)  # type: ignore[union-attr]


def test_param_in_a_list() -> None:
    blocks = {"k": {"params": ["n"], "layers": [{"conv": {"filters": 2, "kernel": ["$n", 1]}}]}}
    spec = cnncalc.from_dict({"name": "t", "input": [1, 9, 9], "blocks": blocks, "layers": [{"k": {"n": 3}}]})
    assert cnncalc.analyze(spec).output_shape == (2, 9 - 3 + 1, 9)


def test_unused_block_parameter_is_a_warning() -> None:
    blocks = {"b": {"params": ["n", "unused"], "layers": [{"conv": {"filters": "$n", "kernel": 1}}]}}
    spec = cnncalc.from_dict(
        {"name": "t", "input": [1, 4, 4], "blocks": blocks, "layers": [{"b": {"n": 1, "unused": 2}}]}
    )
    (warning,) = cnncalc.analyze(spec).warnings
    assert "never uses its parameter 'unused'" in warning.message and warning.kind == "spec"


def test_module_rows() -> None:
    spec = cnncalc.from_dict({"name": "t", "input": [4, 8, 8], "blocks": BLOCKS, "layers": [{"mixed": {"b": 2}}]})
    report = cnncalc.analyze(spec)
    modules = {m.name: (m.type, m.depth) for m in report.modules}
    assert modules == {
        "mixed1": ("mixed", 0),
        "mixed1/b1": ("branch", 1),
        "mixed1/b1/unit1": ("unit", 2),
        "mixed1/b2": ("branch", 1),
        "mixed1/b2/unit1": ("unit", 2),
    }


# ------------------------------------------------------------------------------------------- errors

ERRORS = [
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: 4, kernel: 3, stride: 0}
        """,
        (4, 43),
        "conv1: stride: must be positive, got 0",
        id="non-positive",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: 4, kernal: 3}
        """,
        (4, 24),
        "conv has no argument 'kernal'",
        id="unknown-argument",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - relu
          - convv: {filters: 4}
        """,
        (5, 5),
        "unknown layer type 'convv'",
        id="unknown-type",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: true, kernel: 3}
        """,
        (4, 21),
        "filters: expected a whole number, got true (a boolean)",
        id="bool-for-int",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: 4, kernel: 3}
          - conv: {name: conv1, filters: 4, kernel: 3}
        """,
        (5, 18),
        "the name 'conv1' is used twice",
        id="duplicate-name",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {name: a/b, filters: 4, kernel: 3}
        """,
        (4, 18),
        "contains '/'",
        id="slash-in-name",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: 4, kernel: 3, groups: 2}
        """,
        (4, 43),
        "groups = 2 must divide the 3 input channels",
        id="groups",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - parallel:
              merge: concat
              branches:
                - [conv: {filters: 4, kernel: 3}]
                - []
        """,
        (5, 14),
        "concat needs equal spatial sizes, got b1 [4, 6, 6], b2 [3, 8, 8]",
        id="concat-mismatch",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - parallel: {merge: sum, branches: [[], []]}
        """,
        (4, 23),
        "merge: expected one of concat, add",
        id="bad-merge",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - parallel: {merge: add, branches: [[relu]]}
        """,
        (4, 38),
        "branches must be a list of at least two layer lists",
        id="one-branch",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          relu: {layers: [identity]}
        layers: [relu]
        """,
        (4, 3),
        "block name 'relu' is already a layer type",
        id="block-shadows-kind",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          a: {layers: [b]}
          b: {layers: [identity, a]}
        layers: [a]
        """,
        (4, 3),
        "block 'a' uses itself: a → b → a",
        id="indirect-cycle",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          a: {layers: [repeat: {times: 2, layers: [a]}]}
        layers: [a]
        """,
        (4, 3),
        "block 'a' uses itself",
        id="direct-cycle-through-repeat",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          u: {params: [w], layers: [conv: {filters: $width, kernel: 1}]}
        layers: [u: {w: 2}]
        """,
        (4, 45),
        "$width is not a parameter of block 'u'",
        id="unknown-param-ref",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          u: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}
        layers:
          - u: {w: 2, h: 3}
        """,
        (6, 15),
        "block 'u' has no parameter 'h'",
        id="unknown-block-argument",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          u: {params: [w], layers: [conv: {filters: $w, kernel: 1}]}
        layers:
          - u
        """,
        (6, 5),
        "block 'u' needs w",
        id="missing-block-argument",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          u: {params: [w], layers: [conv: {filters: $w, kernel: 5}]}
        layers:
          - u: {w: 0}
        """,
        (6, 12),
        "u1/conv1: filters: must be positive, got 0",
        id="bad-value-located-at-call-site",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: $w, kernel: 1}
        """,
        (4, 21),
        "$w refers to a block parameter, but this layer is not inside a block",
        id="param-outside-block",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - repeat: {times: 0, layers: [relu]}
        """,
        (4, 21),
        "times: must be positive, got 0",
        id="repeat-zero",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv:
            filters: 4
            kernel: 3
        """,
        (4, 5),
        "a layer is one `TYPE: {args}` entry, but this item has 3 keys",
        id="args-not-indented",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 8]
        lyers: []
        """,
        (3, 1),
        "unknown top-level key 'lyers'",
        id="unknown-top-level",
    ),
    pytest.param(
        """\
        name: t
        input: [3, 0, 8]
        layers: [relu]
        """,
        (2, 12),
        "input dimension 2: must be positive, got 0",
        id="zero-input",
    ),
]


@pytest.mark.parametrize(("text", "where", "message"), ERRORS)
def test_error_message_and_location(text: str, where: tuple[int, int], message: str) -> None:
    exc = error(text)
    first = exc.diagnostics[0]
    assert message in first.headline()
    assert first.location is not None
    assert (first.location.line, first.location.column) == where
    assert first.location.file == "net.yaml"


def test_problem_in_a_block_names_the_instance() -> None:
    exc = error(
        """\
        name: t
        input: [3, 8, 8]
        blocks:
          u: {params: [w], layers: [conv: {filters: $w, kernel: 9}]}
        layers:
          - u: {name: first, w: 2}
        """
    )
    (diag,) = exc.diagnostics
    assert diag.layer == "first/conv1"
    assert diag.notes == ("in block 'u' instantiated as first at net.yaml:6:5",)


def test_independent_errors_are_reported_together() -> None:
    exc = error(
        """\
        name: t
        input: [3, 8, 8]
        layers:
          - conv: {filters: 0, kernel: 3}
          - pool
          - fc: {units: -1}
        """
    )
    assert [d.location.line for d in exc.diagnostics if d.location] == [4, 5, 6]


def test_did_you_mean() -> None:
    exc = error(
        """\
        name: t
        input: [3, 8, 8]
        layers: [maxpol: {kernel: 2}]
        """
    )
    assert exc.diagnostics[0].hint == "did you mean 'maxpool'?"


def test_dict_specs_name_the_data_path() -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.from_dict({"name": "t", "input": [3, 8, 8], "layers": [{"conv": {"filters": 4, "kernel": 0}}]})
    assert info.value.diagnostics[0].headline() == "layers[0].conv.kernel: conv1: kernel: must be positive, got 0"


def test_missing_required_keys() -> None:
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.from_dict({"layers": ["relu"]})
    messages = [d.message for d in info.value.diagnostics]
    assert messages == ["the spec has no 'name'", "the spec has no 'input'"]


def test_expansion_limit() -> None:
    layers = [{"repeat": {"times": 1000, "layers": [{"repeat": {"times": 1001, "layers": ["relu"]}}]}}]
    with pytest.raises(cnncalc.SpecError, match="the spec expands to more than 100,000 layers"):
        cnncalc.from_dict({"name": "t", "input": [1], "layers": layers})


def test_the_name_defaults_to_the_file_stem(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    # issue 9: a three-line spec needs no name; a file is named by its stem, standard input "stdin"
    text = "input: [3, 8, 8]\nlayers: [relu]\n"
    path = spec_file(text, "tiny-net.v2.yaml")
    assert cnncalc.load(path).name == "tiny-net.v2"
    assert json.loads(cli("summarize", str(path), "-f", "json").stdout)["name"] == "tiny-net.v2"
    assert json.loads(cli("summarize", "-", "-f", "json", input=text).stdout)["name"] == "stdin"
    assert cnncalc.loads("name: mine\n" + text, "other.yaml").name == "mine"  # a written name wins
    # text and data with no file to name them still need one
    with pytest.raises(cnncalc.SpecError, match="the spec has no 'name'"):
        cnncalc.loads(text)
