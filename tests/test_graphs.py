"""The graph language: `from:` references, standalone concat/add/mul, scoping, `outputs:` and what every
feature makes of them (totals, receptive fields, memory liveness, warnings, JSON, graph renders)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import cnncalc
from cnncalc.errors import SpecError

from .conftest import Result

# The example of issue 10 (an FPN-style top-down merge).
FPN = """\
name: fpn-toy
input: [3, 256, 256]
outputs: [p4, p5]
layers:
  - conv: {name: c4, filters: 256, kernel: 3, stride: 2, padding: 1}
  - conv: {name: c5, filters: 512, kernel: 3, stride: 2, padding: 1}
  - conv: {name: p5, filters: 256, kernel: 1}
  - upsample: {from: p5, scale_factor: 2}
  - conv: {name: lat4, from: c4, filters: 256, kernel: 1}
  - add: {name: p4, from: [upsample1, lat4]}
"""


def test_fpn_example_rows_read_the_rows_they_name() -> None:
    r = cnncalc.analyze(cnncalc.loads(FPN))
    inputs = {row.name: row.inputs for row in r.layers}
    assert inputs == {
        "c4": ("input",),
        "c5": ("c4",),
        "p5": ("c5",),
        "upsample1": ("p5",),
        "lat4": ("c4",),
        "p4": ("upsample1", "lat4"),
    }
    assert r.find("lat4").output_shape == (256, 128, 128)  # type: ignore[union-attr]
    assert r.totals.params == (
        (3 * 3 * 3 * 256 + 256)  # c4
        + (3 * 3 * 256 * 512 + 512)  # c5
        + (1 * 1 * 512 * 256 + 256)  # p5
        + (1 * 1 * 256 * 256 + 256)  # lat4
    )
    # the outputs: p4 first (it is output_shape), then p5
    assert [(o.name, o.shape) for o in r.outputs] == [("p4", (256, 128, 128)), ("p5", (256, 64, 64))]
    assert r.output_shape == (256, 128, 128)
    assert not r.warnings


def test_fpn_example_json_lists_every_output(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    result = cli("summarize", str(spec_file(FPN)), "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["output_shape"] == [256, 128, 128]
    assert [(o["name"], o["shape"], o["main"]) for o in data["outputs"]] == [
        ("p4", [256, 128, 128], True),
        ("p5", [256, 64, 64], False),
    ]
    assert {row["name"]: row["inputs"] for row in data["layers"]}["lat4"] == ["c4"]


def test_dot_and_mermaid_draw_edges_from_the_referenced_row(
    cli: Callable[..., Result], spec_file: Callable[..., Path]
) -> None:
    path = str(spec_file(FPN))
    dot = cli("summarize", path, "--format", "dot")
    assert dot.exit_code == 0, dot
    # rows are numbered in execution order: n1 is c4, n5 lat4, n4 upsample1, n6 p4
    assert "  n1 -> n5 " in dot.stdout
    assert "  n4 -> n6 " in dot.stdout and "  n5 -> n6 " in dot.stdout
    mermaid = cli("summarize", path, "--format", "mermaid")
    assert mermaid.exit_code == 0, mermaid
    assert "-->" in mermaid.stdout


BLOCKS = """\
name: scoped
input: [4, 16, 16]
blocks:
  down:
    params: [c]
    layers:
      - conv: {name: conv, filters: $c, kernel: 3, padding: 1}
      - maxpool: {name: pool, kernel: 2}
  up:
    params: [c, skip]
    layers:
      - upsample: {name: up, scale_factor: 2}
      - concat: {name: cat, from: [up, $skip]}
      - conv: {name: conv, filters: $c, kernel: 3, padding: 1}
layers:
  - down: {name: enc1, c: 8}
  - down: {name: enc2, c: 16}
  - conv: {name: mid, filters: 16, kernel: 3, padding: 1}
  - up: {name: dec2, c: 16, skip: enc2/conv}
  - up: {name: dec1, c: 8, skip: /enc1/conv}
  - conv: {name: head, filters: 2, kernel: 1}
"""


def test_block_reads_outer_names_by_relative_and_absolute_paths() -> None:
    r = cnncalc.analyze(cnncalc.loads(BLOCKS))
    cat2 = r.find("dec2/cat")
    cat1 = r.find("dec1/cat")
    assert cat2 is not None and cat1 is not None
    assert cat2.inputs == ("dec2/up", "enc2/conv")  # type: ignore[union-attr]
    assert cat2.output_shape == (16 + 16, 8, 8)
    assert cat1.inputs == ("dec1/up", "enc1/conv")  # type: ignore[union-attr]
    assert cat1.output_shape == (16 + 8, 16, 16)
    assert r.output_shape == (2, 16, 16)
    # enc1/pool is read by enc2, enc2/pool by mid: nothing is unused
    assert not [w for w in r.warnings if w.kind == "graph"]


def test_a_block_name_stands_for_its_output_and_input_for_the_network_input() -> None:
    text = BLOCKS.replace("  - conv: {name: head, filters: 2, kernel: 1}", "  - concat: {from: [dec1, input]}")
    r = cnncalc.analyze(cnncalc.loads(text))
    cat = r.find("concat1")
    assert cat is not None and cat.inputs == ("dec1/conv", "input")  # type: ignore[union-attr]
    assert r.output_shape == (8 + 4, 16, 16)


def test_repeat_parallel_and_side_take_from() -> None:
    text = """\
name: structural-from
input: [8, 8, 8]
layers:
  - conv: {name: a, filters: 8, kernel: 1}
  - conv: {name: b, filters: 16, kernel: 3, stride: 2, padding: 1}
  - side: {name: aux, from: a, layers: [global_avgpool]}
  - repeat: {name: r, from: a, times: 2, layers: [relu]}
  - parallel: {from: b, merge: add, branches: [[relu], []]}
  - concat: {from: [r, r/1/relu1]}
outputs: [concat1, parallel1, aux]
"""
    r = cnncalc.analyze(cnncalc.loads(text))
    assert r.find("aux/global_avgpool1").inputs == ("a",)  # type: ignore[union-attr]
    assert r.find("r/1/relu1").inputs == ("a",)  # type: ignore[union-attr]
    assert r.find("parallel1/b1/relu1").input_shapes == ((16, 4, 4),)  # type: ignore[union-attr]
    assert r.find("concat1").inputs == ("r/2/relu1", "r/1/relu1")  # type: ignore[union-attr]
    assert [o.name for o in r.outputs] == ["concat1", "parallel1", "aux"]
    assert r.outputs[1].layer == "parallel1/add"


CHAIN = """\
name: chain
input: [4, 8, 8]
layers:
  - conv: {name: a, filters: 4, kernel: 1}
  - conv: {name: b, filters: 4, kernel: 1}
  - conv: {name: c, filters: 4, kernel: 1}
"""


def test_a_row_no_one_reads_is_warned_about() -> None:
    r = cnncalc.analyze(cnncalc.loads(CHAIN + "  - relu: {from: b}\n"))
    assert [(w.layer, w.message, w.kind) for w in r.warnings] == [("c", "the output of c is never used", "graph")]


def test_long_skip_keeps_its_tensor_alive_for_peak_memory() -> None:
    # every row is 4×8×8 = 256 values; a chain frees each tensor after the next row has read it (peak
    # 2 × 256), but `a` stays alive until the add reads it, so while c runs a, b and c are alive: 3 × 256.
    assert cnncalc.analyze(cnncalc.loads(CHAIN)).totals.peak_activations == 2 * 4 * 8 * 8
    peak = cnncalc.analyze(cnncalc.loads(CHAIN + "  - add: {from: [a, c]}\n")).totals
    assert (peak.peak_activations, peak.peak_activation_layer) == (3 * 4 * 8 * 8, "c")


def test_receptive_field_follows_the_reference() -> None:
    text = """\
name: rf
input: [1, 32, 32]
layers:
  - conv: {name: a, filters: 1, kernel: 3}
  - conv: {name: b, filters: 1, kernel: 3}
  - conv: {name: c, from: a, filters: 1, kernel: 5}
  - conv: {name: d, from: input, filters: 1, kernel: 7}
  - concat: {from: [c, d]}
outputs: [b, concat1]
"""
    r = cnncalc.analyze(cnncalc.loads(text))
    size = {row.name: row.receptive_field[0].size for row in r.layers if row.receptive_field}
    assert size["b"] == 3 + 2  # two 3×3 convs
    assert size["c"] == 3 + 4  # a 3×3, then a 5×5
    assert size["d"] == 7  # straight from the input
    assert size["concat1"] == 7  # both fields are 7 wide


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(cnncalc.loads(text, "net.yaml"))
    return info.value


HEAD = "name: e\ninput: [3, 8, 8]\n"


@pytest.mark.parametrize(
    ("layers", "message", "line", "hint"),
    [
        pytest.param(
            "  - conv: {filters: 4, kernel: 1, from: later}\n  - conv: {name: later, filters: 4, kernel: 1}\n",
            "'later' is defined later; a row reads only earlier rows (a forward reference)",
            4,
            "move the row it reads before this one",
            id="forward",
        ),
        pytest.param(
            "  - conv: {name: a, filters: 4, kernel: 1, from: a}\n",
            "from: 'a' is this row itself",
            4,
            None,
            id="self",
        ),
        pytest.param(
            "  - conv: {name: stem, filters: 4, kernel: 1}\n  - relu: {from: stme}\n",
            "no earlier row 'stme' is in scope here",
            5,
            "did you mean 'stem'? names in scope: input, stem",
            id="unknown-did-you-mean",
        ),
        pytest.param(
            "  - parallel: {merge: add, branches: [[conv: {name: c, filters: 4, kernel: 1}], "
            "[conv: {name: c, filters: 4, kernel: 1}]]}\n  - relu: {from: c}\n",
            "no earlier row 'c' is in scope here",
            5,
            "'c' is parallel1/b1/c and parallel1/b2/c: write its path (the name is ambiguous)",
            id="ambiguous",
        ),
        pytest.param(
            "  - conv: {name: a, filters: 4, kernel: 1}\n  - add: {from: [a]}\n",
            "from: add combines two or more rows, got ['a']",
            5,
            "write `- add: {from: [a, b]}`",
            id="merge-one-source",
        ),
        pytest.param("  - concat\n", "concat needs from: the rows it combines", 4, None, id="merge-no-source"),
        pytest.param(
            "  - repeat: {name: r, times: 2, layers: [relu: {from: r}]}\n",
            "from: 'r' is r, which contains this row",
            4,
            None,
            id="container",
        ),
        pytest.param(
            "  - conv: {name: input, filters: 4, kernel: 1}\n",
            "'input' names the network's input",
            4,
            None,
            id="name-input",
        ),
        pytest.param(
            "  - conv: {name: a, filters: 4, kernel: 1}\n  - add: {from: [a, input]}\n",
            "add needs identical shapes, got a [4, 8, 8], input [3, 8, 8]",
            5,
            None,
            id="merge-shapes",
        ),
        pytest.param("  - relu\noutputs: [relu2]\n", "no earlier row 'relu2' is in scope here", 5, None, id="outputs"),
    ],
)
def test_reference_errors_are_located(layers: str, message: str, line: int, hint: str | None) -> None:
    error = _error(HEAD + "layers:\n" + layers)
    diag = error.diagnostics[0]
    assert message in diag.message
    assert diag.location is not None and diag.location.line == line
    if hint is not None:
        assert diag.hint is not None and hint in diag.hint


def test_reference_error_exits_2(cli: Callable[..., Result], spec_file: Callable[..., Path]) -> None:
    path = spec_file(HEAD + "layers:\n  - relu: {from: nowhere}\n")
    result = cli("summarize", str(path))
    assert result.exit_code == 2
    assert "no earlier row 'nowhere' is in scope here" in result.stderr


DOCS = Path(__file__).resolve().parents[1] / "docs" / "spec-language.md"


@pytest.mark.parametrize(
    ("spec", "outputs"),
    [
        pytest.param("unet-small.yaml", [("head", (2, 64, 64))], id="unet"),
        pytest.param("fpn-toy.yaml", [("p4", (256, 128, 128)), ("p5", (256, 64, 64))], id="fpn"),
    ],
)
def test_docs_examples_are_the_example_specs(spec: str, outputs: list[tuple[str, tuple[int, ...]]]) -> None:
    path = DOCS.parent / "examples" / spec
    text = path.read_text(encoding="utf-8")
    assert f"```yaml\n{text}```" in DOCS.read_text(encoding="utf-8")  # the page shows the file as it is
    r = cnncalc.analyze(cnncalc.load(path))
    assert [(o.name, o.shape) for o in r.outputs] == outputs
    assert not [w for w in r.warnings if w.kind == "graph"]


def test_unet_example_concat_channels() -> None:
    r = cnncalc.analyze(cnncalc.load(DOCS.parent / "examples" / "unet-small.yaml"))
    cat = r.find("dec2/cat")
    assert cat is not None and cat.inputs == ("enc2/relu2", "dec2/up")  # type: ignore[union-attr]
    assert cat.output_shape == (32 + 32, 32, 32)


def test_docs_error_example_is_what_cnncalc_prints(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "net.yaml").write_text(
        "name: e\ninput: [3, 8, 8]\nlayers:\n  - conv: {name: stem, filters: 4, kernel: 1}\n  - relu: {from: stme}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = cli("summarize", "net.yaml")
    shown = DOCS.read_text(encoding="utf-8").split("```\nerror: net.yaml:5:18: no earlier row")[1].split("```")[0]
    shown = "net.yaml:5:18: no earlier row" + shown
    assert "error: " + shown in result.stderr
