"""How a parallel's branch outputs are merged into one tensor."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..derivation import Derivation, Line, dims, num, plural
from ..errors import ShapeError
from .base import Shape, fmt_shape

MergeFn = Callable[[Sequence[Shape], Sequence[str]], Shape]


def _listing(shapes: Sequence[Shape], labels: Sequence[str]) -> str:
    return ", ".join(f"{label} {fmt_shape(s)}" for label, s in zip(labels, shapes, strict=True))


def concat(shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
    """Stack along channels: every input must agree on its spatial size; channels add up."""
    first = shapes[0]
    for shape in shapes[1:]:
        if len(shape) != len(first) or shape[1:] != first[1:]:
            raise ShapeError(
                f"concat needs equal spatial sizes, got {_listing(shapes, labels)}",
                "make every branch downsample by the same factor (same strides, matching padding)",
            )
    return (sum(s[0] for s in shapes), *first[1:])


def add(shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
    """Element-wise sum: every input must have exactly the same shape."""
    first = shapes[0]
    for shape in shapes[1:]:
        if shape != first:
            raise ShapeError(
                f"add needs identical shapes, got {_listing(shapes, labels)}",
                "project the shortcut (e.g. a 1×1 conv with the same stride and filters) so shapes match",
            )
    return first


MERGES: dict[str, MergeFn] = {"concat": concat, "add": add}


def explain(merge: str, shapes: Sequence[Shape], out: Shape) -> Derivation:
    """A merge's derivation: the channel sum of a concat; what an element-wise merge requires."""
    if merge == "concat":
        text = (
            f"Stacks the {plural(len(shapes), 'input')} along the channel axis: their spatial sizes agree "
            f"({dims(out[1:])}) and their channels add up. No parameters.",
        )
        line = Line("channels", "C_1 + … + C_n", " + ".join(num(s[0]) for s in shapes), out[0])
        return Derivation(text, (line,))
    return Derivation(
        (
            f"Combines the {plural(len(shapes), 'input')} of {dims(out)} element-wise ({merge}): each output "
            "value depends on the values at the same channel and position. No parameters; not counted in MACs.",
        )
    )
