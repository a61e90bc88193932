"""How a parallel's branch outputs are merged into one tensor.

Each merge is a small object registered by its spec name: calling it checks the branch shapes and gives
the merged shape; ``details`` describes the merge for the table and ``other_ops`` counts its arithmetic
for ``--convention full``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..derivation import Derivation, Line, dims, num, plural
from ..errors import ShapeError
from .base import Shape, fmt_shape, numel


def _listing(shapes: Sequence[Shape], labels: Sequence[str]) -> str:
    return ", ".join(f"{label} {fmt_shape(s)}" for label, s in zip(labels, shapes, strict=True))


class Merge:
    """A merge kind: shape rule, description and operation count."""

    name: str

    def __call__(self, shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
        raise NotImplementedError

    def details(self, shapes: Sequence[Shape], out: Shape) -> str:
        return f"{len(shapes)} inputs, element-wise"

    def other_ops(self, shapes: Sequence[Shape], out: Shape) -> int:
        """Element-wise merges: one addition or multiplication per output element per extra input."""
        return (len(shapes) - 1) * numel(out)

    def explain(self, shapes: Sequence[Shape], out: Shape) -> Derivation:
        """What an element-wise merge requires and does (``cnncalc explain``)."""
        return Derivation(
            (
                f"Combines the {plural(len(shapes), 'input')} of {dims(out)} element-wise ({self.name}): each "
                "output value depends on the values at the same channel and position. No parameters; not "
                "counted in MACs.",
            )
        )


class Concat(Merge):
    """Stack along channels: every input must agree on its spatial size; channels add up."""

    name = "concat"

    def __call__(self, shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
        first = shapes[0]
        for shape in shapes[1:]:
            if len(shape) != len(first) or shape[1:] != first[1:]:
                raise ShapeError(
                    f"concat needs equal spatial sizes, got {_listing(shapes, labels)}",
                    "make every branch downsample by the same factor (same strides, matching padding)",
                )
        return (sum(s[0] for s in shapes), *first[1:])

    def details(self, shapes: Sequence[Shape], out: Shape) -> str:
        return " + ".join(str(s[0]) for s in shapes) + f" = {out[0]} channels"

    def other_ops(self, shapes: Sequence[Shape], out: Shape) -> int:
        return 0  # copies only

    def explain(self, shapes: Sequence[Shape], out: Shape) -> Derivation:
        text = (
            f"Stacks the {plural(len(shapes), 'input')} along the channel axis: their spatial sizes agree "
            f"({dims(out[1:])}) and their channels add up. No parameters.",
        )
        line = Line("channels", "C_1 + … + C_n", " + ".join(num(s[0]) for s in shapes), out[0])
        return Derivation(text, (line,))


class Add(Merge):
    """Element-wise sum: every input must have exactly the same shape."""

    name = "add"

    def __call__(self, shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
        first = shapes[0]
        for shape in shapes[1:]:
            if shape != first:
                raise ShapeError(
                    f"add needs identical shapes, got {_listing(shapes, labels)}",
                    "project the shortcut (e.g. a 1×1 conv with the same stride and filters) so shapes match",
                )
        return first


class Mul(Merge):
    """Element-wise product with broadcasting (squeeze-and-excitation scales ``[C, H, W]`` by ``[C, 1, 1]``).

    The inputs must have the same rank; along every axis the sizes must agree or be 1, and the result
    takes the larger — NumPy's and PyTorch's broadcasting rule, with the batch axis shared.
    """

    name = "mul"

    def __call__(self, shapes: Sequence[Shape], labels: Sequence[str]) -> Shape:
        first = shapes[0]
        if any(len(s) != len(first) for s in shapes):
            raise ShapeError(
                f"mul needs inputs of the same rank, got {_listing(shapes, labels)}",
                "keep the spatial axes in the gating branch (global_avgpool gives [C, 1, 1]; do not flatten it)",
            )
        out = []
        for axis in range(len(first)):
            sizes = {s[axis] for s in shapes} - {1}
            if len(sizes) > 1:
                raise ShapeError(
                    f"mul cannot broadcast {_listing(shapes, labels)}: along axis {axis + 1} the sizes "
                    f"{', '.join(str(n) for n in sorted(sizes))} differ and none is 1",
                    "every axis must match or be 1 (e.g. scale [C, H, W] by [C, 1, 1])",
                )
            out.append(sizes.pop() if sizes else 1)
        return tuple(out)

    def details(self, shapes: Sequence[Shape], out: Shape) -> str:
        text = f"{len(shapes)} inputs, element-wise product"
        if any(s != out for s in shapes):
            text += ", broadcasting " + " × ".join(fmt_shape(s) for s in shapes)
        return text


MERGES: dict[str, Merge] = {m.name: m for m in (Concat(), Add(), Mul())}
