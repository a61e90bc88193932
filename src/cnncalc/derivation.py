"""Derivations: how a layer's figures follow from its arguments, with the actual numbers substituted.

Each layer kind builds its :class:`Derivation` in its ``explain`` method from what its ``apply`` already
computed (the :class:`~cnncalc.geometry.Window` of every axis, the weights, the MACs): the values shown
are those of the report, and the expressions only show the numbers that produced them. The helpers here
write the expressions shared by several kinds. Renderers (``cnncalc.render.explain``) format them.

Expressions use ``·`` for multiplication, ``−`` for subtraction, ``/`` for exact division and
``floor(…)``/``ceil(…)``; thousands are separated by commas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .geometry import TransposedWindow, Window, axis_name
from .receptive import Number, to_json
from .record import record


@record
class Line:
    """One figure: ``quantity = formula = expression = value``."""

    quantity: str  # what is computed: "out", "weights", "MACs", …
    formula: str  # in symbols: "floor((N − k + 2P) / S) + 1"
    expression: str  # the formula with the layer's numbers: "floor((227 − 11 + 2·0) / 4) + 1"
    value: Number  # a fraction only for receptive fields after a transposed conv

    def to_dict(self) -> dict[str, object]:
        return {
            "quantity": self.quantity,
            "formula": self.formula,
            "expression": self.expression,
            "value": to_json(self.value),
        }


@record
class Derivation:
    """What a layer does, in sentences with its numbers, and how each figure is computed."""

    text: tuple[str, ...]
    lines: tuple[Line, ...] = ()


def num(n: Number) -> str:
    """``34,848``; a fraction exactly, ``(13/6)``."""
    return f"{n:,}" if isinstance(n, int) else f"({n.numerator}/{n.denominator})"


def product(factors: Sequence[int]) -> str:
    """``11·11·3·96``."""
    return "·".join(num(f) for f in factors)


def plural(n: int, word: str) -> str:
    return f"{num(n)} {word}" if n == 1 else f"{num(n)} {word}s"


def dims(values: Sequence[int]) -> str:
    """``3×224×224``: cnncalc's one way of writing a shape or a size per axis (``[3, 224, 224]`` in
    messages is :func:`cnncalc.layers.base.fmt_shape`)."""
    return "×".join(str(v) for v in values)


W = TypeVar("W", Window, TransposedWindow)


def _axes(windows: Sequence[W], quantity: str) -> list[tuple[str, W]]:
    """One line for all axes when they share every figure, else one per axis (``out height``, …)."""
    first = windows[0]
    if all(w == first for w in windows[1:]):
        return [(quantity, first)]
    rank = len(windows)
    return [(f"{quantity} {axis_name(rank, i)}", w) for i, w in enumerate(windows)]


def _pads(pb: int, pa: int) -> tuple[str, str]:
    if pb == pa:
        return "2P", f"2·{pb}"
    return "P_b + P_a", f"{pb} + {pa}"


def window_lines(windows: Sequence[Window]) -> list[Line]:
    """``out = floor((N − k + 2P) / S) + 1`` per axis, with the dilated span first when there is one.

    ``ceil`` when ceil mode added a last window; when ceil mode would have added one that starts in
    the padding, the window is dropped (PyTorch's rule) and the floor is shown.
    """
    lines: list[Line] = []
    for quantity, w in _axes(windows, "k_eff"):
        if w.dilation > 1:
            lines.append(Line(quantity, "d·(k − 1) + 1", f"{w.dilation}·({w.kernel} − 1) + 1", w.span))
    for quantity, w in _axes(windows, "out"):
        rounding = "ceil" if w.ceil_extra else "floor"
        k_sym = "k_eff" if w.dilation > 1 else "k"
        p_sym, p_num = _pads(w.pad_before, w.pad_after)
        lines.append(
            Line(
                quantity,
                f"{rounding}((N − {k_sym} + {p_sym}) / S) + 1",
                f"{rounding}(({w.size} − {w.span} + {p_num}) / {w.stride}) + 1",
                w.out,
            )
        )
    return lines


def transposed_lines(windows: Sequence[TransposedWindow]) -> list[Line]:
    """``out = (N − 1)·S − P_b − P_a + k_eff + output_padding`` per axis."""
    lines: list[Line] = []
    for quantity, w in _axes(windows, "k_eff"):
        if w.dilation > 1:
            lines.append(Line(quantity, "d·(k − 1) + 1", f"{w.dilation}·({w.kernel} − 1) + 1", w.span))
    for quantity, w in _axes(windows, "out"):
        k_sym = "k_eff" if w.dilation > 1 else "k"
        lines.append(
            Line(
                quantity,
                f"(N − 1)·S − P_b − P_a + {k_sym} + output_padding",
                f"({w.size} − 1)·{w.stride} − {w.pad_before} − {w.pad_after} + {w.span} + {w.output_padding}",
                w.out,
            )
        )
    return lines


def params_lines(
    weights: int, biases: int, weight_formula: str, weight_factors: Sequence[int], bias_formula: str
) -> list[Line]:
    """``weights = …``, ``biases = …`` (when there are any), and their sum."""
    lines = [Line("weights", weight_formula, product(weight_factors), weights)]
    if biases:
        lines.append(Line("biases", bias_formula, num(biases), biases))
        lines.append(Line("params", "weights + biases", f"{num(weights)} + {num(biases)}", weights + biases))
    return lines
