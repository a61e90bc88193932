"""A hypothesis strategy for random valid networks: 1-D, 2-D and 3-D convs (random kernel, stride,
padding — including asymmetric pairs and ``same`` — dilation and groups, depthwise among them),
transposed convs, max and average pools with and without ceil mode, batchnorm, activations, concat and
add branches, slices, channel shuffles, layer scales, pixel (un)shuffles and centre crops, a block whose
arguments are expressions, standalone merges reading earlier rows by name (crossing skips), several
outputs, and fc heads.

Validity is decided by cnncalc itself while drawing: a drawn layer cnncalc rejects for its input is left
out, so every example is a network cnncalc accepts. Whether PyTorch agrees is for the tests to find.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import cnncalc
from cnncalc.layers import Shape

SIZES = {1: (4, 40), 2: (3, 20), 3: (2, 9)}
BLOCKS = {
    "widen": {
        "params": {"c": None, "k": 1},
        "layers": [
            {"conv": {"filters": "$c * 2 + 1", "kernel": "$k", "padding": "($k - 1) // 2"}},
            {"repeat": {"times": "max($c // 2, 1)", "layers": ["relu"]}},
        ],
    }
}


def apply(item: Any, shape: Shape) -> Shape | None:
    """cnncalc's output shape for one item (a layer or a parallel), or None when cnncalc rejects it."""
    try:
        return cnncalc.analyze(
            cnncalc.from_dict({"name": "probe", "input": list(shape), "blocks": BLOCKS, "layers": [item]})
        ).output_shape
    except cnncalc.SpecError:
        return None


def _axes(draw: st.DrawFn, rank: int, values: st.SearchStrategy[int]) -> int | list[int]:
    if draw(st.booleans()):
        return draw(values)
    return [draw(values) for _ in range(rank)]


def _padding(draw: st.DrawFn, rank: int, most: int) -> Any:
    choice = draw(st.sampled_from(["int", "axes", "pairs", "same", "valid"]))
    if choice == "int":
        return draw(st.integers(0, most))
    if choice == "axes":
        return [draw(st.integers(0, most)) for _ in range(rank)]
    if choice == "pairs":
        return [[draw(st.integers(0, most)), draw(st.integers(0, most))] for _ in range(rank)]
    return choice


def _groups(draw: st.DrawFn, channels: int, filters: int) -> int:
    options = [g for g in range(1, channels + 1) if channels % g == 0 and filters % g == 0]
    return draw(st.sampled_from(options))


@st.composite
def conv(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    rank, channels = len(shape) - 1, shape[0]
    depthwise = draw(st.booleans())
    filters = channels * draw(st.integers(1, 2)) if depthwise else draw(st.integers(1, 12))
    return {
        "conv": {
            "filters": filters,
            "kernel": _axes(draw, rank, st.integers(1, 5)),
            "stride": _axes(draw, rank, st.integers(1, 3)),
            "padding": _padding(draw, rank, 3),
            "dilation": _axes(draw, rank, st.integers(1, 3)),
            "groups": channels if depthwise else _groups(draw, channels, filters),
            "bias": draw(st.booleans()),
        }
    }


@st.composite
def deconv(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    rank, channels = len(shape) - 1, shape[0]
    filters = draw(st.integers(1, 12))
    args: dict[str, Any] = {
        "filters": filters,
        "kernel": _axes(draw, rank, st.integers(1, 5)),
        "stride": _axes(draw, rank, st.integers(1, 3)),
        "dilation": _axes(draw, rank, st.integers(1, 2)),
        "groups": _groups(draw, channels, filters),
        "bias": draw(st.booleans()),
    }
    padding = _padding(draw, rank, 3)
    if padding in ("same", "valid") and draw(st.booleans()):
        args["padding"] = padding
    elif padding not in ("same", "valid"):
        args["padding"] = padding
        args["output_padding"] = _axes(draw, rank, st.integers(0, 2))
    return {"deconv": args}


@st.composite
def pool(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    rank = len(shape) - 1
    kind = draw(st.sampled_from(["maxpool", "avgpool"]))
    args: dict[str, Any] = {
        "kernel": _axes(draw, rank, st.integers(1, 4)),
        "padding": _padding(draw, rank, 2),
        "ceil_mode": draw(st.booleans()),
    }
    if draw(st.booleans()):
        args["stride"] = _axes(draw, rank, st.integers(1, 3))
    if kind == "maxpool" and draw(st.booleans()):
        args["dilation"] = _axes(draw, rank, st.integers(1, 2))
    return {kind: args}


@st.composite
def same_size(draw: st.DrawFn, shape: Shape, filters: int | None) -> dict[str, Any]:
    """A layer that keeps the spatial size (so branches can be merged); ``filters`` fixes a conv's output."""
    channels = shape[0]
    kind = draw(st.sampled_from(["conv", "conv", "maxpool", "batchnorm", "relu"]))
    if kind == "conv":
        out = filters if filters is not None else draw(st.integers(1, 12))
        k, d = draw(st.sampled_from([1, 3, 5])), draw(st.integers(1, 2))
        return {
            "conv": {
                "filters": out,
                "kernel": k,
                "dilation": d,
                "padding": d * (k - 1) // 2,
                "groups": _groups(draw, channels, out),
            }
        }
    if kind == "maxpool":
        return {"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}
    return {kind: {}} if kind == "batchnorm" else "relu"


@st.composite
def parallel(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    merge = draw(st.sampled_from(["concat", "add"]))
    fixed = shape[0] if merge == "add" else None
    branches = []
    for _ in range(draw(st.integers(2, 3))):
        branch: list[Any] = []
        current = shape
        for _ in range(draw(st.integers(0, 2))):
            layer = draw(same_size(current, fixed))
            after = apply(layer, current)
            if after is not None:
                branch.append(layer)
                current = after
        branches.append(branch)
    return {"parallel": {"merge": merge, "branches": branches}}


@st.composite
def rearrange(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    """One of the kinds that only move values, a layer scale, or the expression block."""
    channels = shape[0]
    kind = draw(st.sampled_from(["slice", "channel_shuffle", "scale", "pixel", "crop", "widen"]))
    if kind == "slice":
        start = draw(st.integers(-channels, channels - 1))
        return {"slice": {"channels": [start, draw(st.integers(-channels, channels + 2))]}}
    if kind == "channel_shuffle":
        return {"channel_shuffle": {"groups": draw(st.sampled_from([g for g in range(1, 5) if channels % g == 0]))}}
    if kind == "scale":
        return {"scale": {"bias": draw(st.booleans())}}
    if kind == "pixel":
        return {draw(st.sampled_from(["pixel_shuffle", "pixel_unshuffle"])): {"factor": draw(st.integers(1, 2))}}
    if kind == "crop":
        return {"crop": {"size": [max(1, n - draw(st.integers(0, 3))) for n in shape[1:]]}}
    return {"widen": {"c": draw(st.integers(1, 5)), "k": draw(st.sampled_from([1, 3]))}}


def _name(item: Any, name: str) -> Any:
    """The item with a name, so later rows can read it."""
    kind, args = (item, {}) if isinstance(item, str) else next(iter(item.items()))
    return {kind: {**args, "name": name}}


@st.composite
def network(draw: st.DrawFn) -> dict[str, Any]:
    rank = draw(st.integers(1, 3))
    low, high = SIZES[rank]
    shape: Shape = (draw(st.integers(1, 6)), *(draw(st.integers(low, high)) for _ in range(rank)))
    layers: list[Any] = []
    shapes: list[Shape] = []  # the output of each named row l0, l1, …
    current = shape
    for _ in range(draw(st.integers(1, 6))):
        maker = draw(st.sampled_from([conv, conv, deconv, pool, pool, parallel, rearrange]))
        layer = draw(maker(current))
        extra = draw(st.sampled_from([None, "batchnorm", "relu"]))
        for item in (layer, extra):
            after = apply(item, current) if item is not None else None
            if after is not None:
                layers.append(_name(item, f"l{len(layers)}"))
                shapes.append(after)
                current = after
    outputs = []
    if len(layers) > 1 and draw(st.booleans()):  # a crossing skip: an earlier row merged with the last one
        last = len(layers) - 1
        same = [i for i in range(last) if shapes[i][1:] == current[1:]]
        if same:
            earlier = draw(st.sampled_from(same))
            merge = "add" if shapes[earlier] == current and draw(st.booleans()) else "concat"
            layers.append({merge: {"name": f"l{len(layers)}", "from": [f"l{earlier}", f"l{last}"]}})
            current = (current[0] + (0 if merge == "add" else shapes[earlier][0]), *current[1:])
            shapes.append(current)
    if len(layers) > 1 and draw(st.booleans()):  # a second output: the last row; the network goes on elsewhere
        last = len(layers) - 1
        outputs = [f"l{last}"]
        source = draw(st.integers(0, last - 1))
        layers.append({"relu": {"name": f"l{len(layers)}", "from": f"l{source}"}})
        current = shapes[source]
    if draw(st.booleans()):
        layers.append({"fc": {"units": draw(st.integers(1, 10)), "bias": draw(st.booleans())}})
        if draw(st.booleans()):
            layers.append("batchnorm")
    if not layers:
        layers.append("relu")
    spec = {"name": "random", "input": list(shape), "blocks": BLOCKS, "layers": layers}
    if outputs:
        last = layers[-1]
        kind, args = (last, {}) if isinstance(last, str) else next(iter(last.items()))
        spec["layers"] = [*layers[:-1], {kind: {**args, "name": "end"}}]
        spec["outputs"] = ["end", *outputs]
    return spec
