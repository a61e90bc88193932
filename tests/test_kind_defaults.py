"""What a layer kind gets without writing explain, footprint or widen: the defaults kinds added later
rely on (tested on unregistered kinds, so the registry stays as shipped)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cnncalc.args import Int, arg
from cnncalc.layers import Calc, Layer, Shape
from cnncalc.receptive import WHOLE, Step


@dataclass(frozen=True, slots=True)
class Doubler(Layer):
    """Nearest upsampling by 2 with a learnable scale per channel, written without any of the hooks."""

    kind = "doubler"
    summary = "upsamples each map by 2"

    def apply(self, inp: Shape) -> Calc:
        return Calc((inp[0], *(2 * n for n in inp[1:])), weights=inp[0])


@dataclass(frozen=True, slots=True)
class Widthy(Layer):
    kind = "widthy"
    summary = "a kind with a width"
    width = "channels"

    channels: int = arg(Int(), "output channels")
    other: int = arg(Int(), "not a width", 3)

    def apply(self, inp: Shape) -> Calc:
        return Calc((self.channels,))


def test_default_footprints() -> None:
    d = Doubler()
    # 8 → 16: output o reads input ⌊o/2⌋: span 1 at stride 8/16 = 1/2
    assert d.footprint((4, 8, 8), d.apply((4, 8, 8))) == ((Step(1, Fraction(1, 2), 0),),) * 2
    w = Widthy(10)
    assert w.footprint((4, 8, 8), w.apply((4, 8, 8))) == WHOLE  # the output has no spatial axes
    assert w.footprint((4,), w.apply((4,))) == ()


def test_default_explain_states_shapes_and_parameters() -> None:
    d = Doubler()
    derivation = d.explain((4, 8, 8), d.apply((4, 8, 8)))
    assert derivation.text == ("upsamples each map by 2: 4×8×8 → 4×16×16.",)
    assert [(line.quantity, line.value) for line in derivation.lines] == [("weights", 4)]


def test_default_widen_scales_the_width_argument() -> None:
    assert Widthy(10, 5).widen(lambda count, multiple: 2 * count, 4, 4) == Widthy(20, 5)
    assert Doubler().widen(lambda count, multiple: 2 * count, 4, 4) == Doubler()
