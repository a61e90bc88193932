"""What a large spec costs per row, as structure rather than time (times live in benchmarks/bench.py): the
CLI runs with the cyclic garbage collector off (cnncalc.cli.main), so a reference cycle keeps whatever it
holds to the end of the run."""

from __future__ import annotations

import gc
import types
from collections.abc import Iterator

import pytest

import cnncalc
from cnncalc.export.lowering import with_pytorch_notes
from cnncalc.render.text import json_chunks
from cnncalc.spec import LayerNode

from .conftest import ROOT

NESTED = """
name: nested
input: [8, 16, 16]
blocks:
  unit:
    params: {w: ~, k: 3}
    layers: [conv: {filters: $w, kernel: $k, padding: "$k // 2"}, batchnorm, relu]
  cell:
    params: [w]
    layers:
      - parallel:
          merge: concat
          branches:
            - [unit: {w: $w}]
            - [unit: {w: "$w * 2", k: 1}, unit: {w: $w}]
layers:
  - cell: {w: 4}
  - side: {name: aux, layers: [global_avgpool, flatten, fc: {units: 3}]}
  - repeat: {times: 3, layers: [cell: {w: 8}]}
  - conv: {name: skip, filters: 16, kernel: 1, from: cell1}
  - add: {from: [repeat1, skip]}
"""

ALIASED = """
name: aliased
input: [3, 8, 8]
layers:
  - repeat: {times: 2, layers: &unit [conv: {filters: 4, kernel: 3, padding: 1}, relu]}
  - repeat: {times: 3, layers: *unit}
"""


def _run(text: str) -> None:
    report = with_pytorch_notes(cnncalc.analyze(cnncalc.loads(text, "net.yaml")))
    for _ in json_chunks(report):
        pass


def _cnncalc_garbage(text: str) -> Iterator[object]:
    """The objects of cnncalc's own types and functions that a run (load, analyse, the PyTorch notes, JSON)
    leaves in reference cycles (after a first run of the same text: what a class compiles on its first instance,
    cnncalc.record, is made once per process)."""
    _run(text)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        _run(text)
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    for obj in garbage:
        if isinstance(obj, types.FunctionType):
            if obj.__module__.startswith("cnncalc"):
                yield obj
        elif type(obj).__module__.startswith("cnncalc"):
            yield obj


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(NESTED, id="blocks-parallel-side-repeat-from"),
        pytest.param(ALIASED, id="anchors-and-aliases"),
        *(pytest.param(cnncalc.loader.preset_text(name), id=name) for name in ("googlenet", "mobilenet_v2", "unet")),
        *(
            pytest.param(path.read_text(encoding="utf-8"), id=path.stem)
            for path in sorted((ROOT / "specs").glob("*.yaml"))
        ),
    ],
)
def test_a_run_leaves_no_reference_cycles(text: str) -> None:
    """Nothing of cnncalc's is left for the collector: the spec parser, once part of a cycle through the
    nested functions that walked the blocks, held every row's path to the end of a run."""
    assert [repr(obj)[:120] for obj in _cnncalc_garbage(text)] == []


ALIKE = [
    "conv: {filters: 4, kernel: 3, padding: 1}",
    "conv: {filters: 4, kernel: 3, padding: 1}",  # shares the first's layer
    "conv: {kernel: 3, filters: 4, padding: 1}",  # the same layer, written in another order
    "conv: {filters: 4, kernel: [3, 3], padding: 1}",
    "conv: {filters: 4, kernel: [3, 3], padding: 1}",
    "leaky_relu: {negative_slope: 0}",
    "leaky_relu: {negative_slope: 0.0}",
    "leaky_relu: {negative_slope: -0.0}",  # equal to 0.0 in Python, yet its own value
    "leaky_relu: {negative_slope: 0.0}",
]


def test_layers_written_alike_share_one_object_and_keep_their_own_values() -> None:
    """Equal arguments make one layer object for every row that writes them (memory per row); values equal
    in Python but not alike (0 and 0.0, 0.0 and -0.0) stay apart: each row's layer is what it alone gives."""
    spec = cnncalc.loads("name: t\ninput: [4, 8, 8]\nlayers:\n" + "".join(f"  - {item}\n" for item in ALIKE))
    layers = [node.layer for node in spec.layers if isinstance(node, LayerNode)]
    for item, layer in zip(ALIKE, layers, strict=True):
        (alone,) = cnncalc.loads(f"name: t\ninput: [4, 8, 8]\nlayers:\n  - {item}\n").layers
        assert isinstance(alone, LayerNode) and repr(layer) == repr(alone.layer)
    assert layers[1] is layers[0] and layers[4] is layers[3] and layers[8] is layers[6]
    assert "negative_slope=-0.0" in repr(layers[7])


def test_the_problems_of_one_layer_come_in_the_order_its_arguments_are_written() -> None:
    text = "name: t\ninput: [3, 8, 8]\nlayers:\n  - conv: {filters: x, kernal: 3, stride: y, dilation: $q}\n"
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.loads(text, "net.yaml")
    assert [d.message for d in info.value.diagnostics] == [
        "filters: expected a whole number, got 'x' (text)",
        "conv has no argument 'kernal'",
        "stride: expected a whole number, got 'y' (text)",
        "$q refers to a block parameter, but this layer is not inside a block",
    ]


def test_argument_origins_are_the_paths_they_were_written_at() -> None:
    """A layer keeps where its arguments were written as a small mapping computed when an error asks: in its
    own mapping, or at the block call that gave the parameter."""
    text = (
        "name: t\ninput: [3, 8, 8]\nblocks:\n  b:\n    params: [k]\n    layers: [conv: {filters: 4, kernel: $k}]\n"
        "layers:\n  - conv: {filters: 4, kernel: 3}\n  - b: {k: 3}\n"
    )
    spec = cnncalc.loads(text, "net.yaml")
    direct, block = spec.layers
    assert isinstance(direct, LayerNode) and not isinstance(block, LayerNode)
    assert dict(direct.arg_origins) == {
        "filters": ("layers", 0, "conv", "filters"),
        "kernel": ("layers", 0, "conv", "kernel"),
    }
    (inner,) = block.children  # type: ignore[union-attr]  # a block instance
    assert isinstance(inner, LayerNode)
    assert dict(inner.arg_origins) == {
        "filters": ("blocks", "b", "layers", 0, "conv", "filters"),
        "kernel": ("layers", 1, "b", "k"),  # the value's origin: the call that gives k
    }
    assert inner.arg_origins.get("stride") is None and len(inner.arg_origins) == 2


@pytest.mark.parametrize(
    ("layers", "where"),
    [
        pytest.param("  - conv: {filters: 4, kernel: 30}\n", "net.yaml:8:32:", id="in-the-layer"),
        pytest.param("  - b: {k: 30}\n", "net.yaml:8:12:", id="at-the-block-call"),
    ],
)
def test_an_error_of_the_analysis_points_at_the_argument(layers: str, where: str) -> None:
    text = (
        "name: t\ninput: [3, 8, 8]\nblocks:\n  b:\n    params: [k]\n    layers: [conv: {filters: 4, kernel: $k}]\n"
        "layers:\n" + layers
    )
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.analyze(cnncalc.loads(text, "net.yaml"))
    assert str(info.value).startswith(where), str(info.value)
