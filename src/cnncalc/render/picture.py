"""A conv or pooling layer drawn as SVG, with its derivation beside it as HTML.

The input is a box ``C_in × H × W`` (channels going back), one filter a box ``k × k × (C_in / groups)``
at the front of it spanning the full depth of its group, the output ``C_out`` maps; pooling's window is
one map deep and the output keeps one map per input map. Sizes on screen grow with the square root of
the real sizes (a 224-wide input and a 7-wide one must both fit); every number written comes from the
report (:mod:`cnncalc.picture`, :mod:`cnncalc.explain`).
"""

from __future__ import annotations

import math
from html import escape

from ..derivation import num
from ..explain import Explanation
from ..picture import Mode, Picture
from .fmt import shape


def esc(text: object) -> str:
    """Text or an attribute value, safe in HTML and SVG whatever the spec says."""
    return escape(str(text), quote=True)


def _side(n: int) -> float:
    return min(max(math.sqrt(n) * 9.0, 14.0), 130.0)


def _deep(n: int) -> float:
    return min(max(math.sqrt(n) * 5.0, 5.0), 80.0)


def _box(x: float, y: float, w: float, h: float, d: float, cls: str) -> str:
    """A box seen obliquely: front face at (x, y), depth ``d`` going up and right."""
    ox, oy = d * 0.7, -d * 0.5
    top = f"{x:.0f},{y:.0f} {x + ox:.0f},{y + oy:.0f} {x + w + ox:.0f},{y + oy:.0f} {x + w:.0f},{y:.0f}"
    right = (
        f"{x + w:.0f},{y:.0f} {x + w + ox:.0f},{y + oy:.0f} {x + w + ox:.0f},{y + h + oy:.0f} {x + w:.0f},{y + h:.0f}"
    )
    return (
        f'<g class="{cls}"><polygon class="top" points="{top}"/><polygon class="side" points="{right}"/>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}"/></g>'
    )


def _hw(spatial: tuple[int, ...]) -> tuple[int, int]:
    """What is drawn of the spatial axes: the last two (a 1-D input is one row)."""
    return (spatial[-2] if len(spatial) >= 2 else 1, spatial[-1])


def window_text(pic: Picture) -> str:
    k = shape(pic.window)
    if pic.mode is Mode.pool:
        return f"{pic.reduce} window {k}×1: one map at a time"
    if pic.mode is Mode.depthwise:
        return f"1 filter: {k}×{pic.depth}, reads one channel"
    if pic.groups > 1:
        return f"1 filter: {k}×{pic.depth}, spans its group ({num(pic.depth)} of {num(pic.input_shape[0])} channels)"
    if pic.mode is Mode.pointwise:
        return f"1 filter: {k}×{pic.depth}, mixes all {num(pic.depth)} channels at one position"
    if pic.depth == 1:
        return f"1 filter: {k}×1, spans the one input channel"
    return f"1 filter: {k}×{pic.depth}, spans all {num(pic.depth)} input channels"


def output_text(pic: Picture) -> str:
    c_out = num(pic.output_shape[0])
    if pic.mode is Mode.pool:
        return f"output {shape(pic.output_shape)}: {c_out} maps, one per input map"
    return f"output {shape(pic.output_shape)}: {c_out} maps, one per filter"


def describe(pic: Picture) -> str:
    """The drawing in one sentence, for its <desc> and the screen reader."""
    return f"Input {shape(pic.input_shape)}; {window_text(pic)}; {output_text(pic)}."


def picture_svg(pic: Picture, id_: str) -> str:
    """The picture as an inline SVG (ids prefixed with ``id_``)."""
    c_in, (h, w) = pic.input_shape[0], _hw(pic.input_shape[1:])
    c_out, (oh, ow) = pic.output_shape[0], _hw(pic.output_shape[1:])
    iw, ih, idp = _side(w), _side(h), _deep(c_in)
    x0, y0 = 16.0, 30.0 + idp * 0.5
    parts = [_box(x0, y0, iw, ih, idp, "vol")]
    if 1 < pic.groups <= 32 and pic.mode is not Mode.pool:
        for g in range(1, pic.groups):
            d = idp * g / pic.groups
            parts.append(
                f'<line class="grp" x1="{x0 + d * 0.7:.0f}" y1="{y0 - d * 0.5:.0f}" '
                f'x2="{x0 + iw + d * 0.7:.0f}" y2="{y0 - d * 0.5:.0f}"/>'
            )
    kh, kw = _hw(pic.window)
    fw, fh = max(iw * kw / max(w, 1), 5.0), max(ih * kh / max(h, 1), 5.0)
    fd = max(idp * pic.depth / c_in, 2.5)
    parts.append(_box(x0, y0, min(fw, iw), min(fh, ih), fd, "pool" if pic.mode is Mode.pool else "filter"))
    # the output maps, a few drawn, the front one made by the window drawn
    mw, mh = _side(ow), _side(oh)
    shown = min(c_out, 6)
    ox = x0 + iw + idp * 0.7 + 56
    oy = y0 - (shown - 1) * 3.0
    for i in reversed(range(shown)):
        cls = "map front" if i == 0 else "map"
        x, y = ox + i * 5, oy + i * 3
        parts.append(f'<rect class="{cls}" x="{x:.0f}" y="{y:.0f}" width="{mw:.0f}" height="{mh:.0f}"/>')
    parts.append(f'<rect class="dot" x="{ox:.0f}" y="{oy:.0f}" width="5" height="5"/>')
    ax = x0 + iw + idp * 0.7
    ay = y0 + ih / 2
    parts.append(f'<path class="arrow" d="M{ax + 8:.0f},{ay:.0f} H{ox - 8:.0f} l-6,-4 m6,4 l-6,4"/>')
    top = max(y0 + ih, oy + (shown - 1) * 3 + mh) + 22
    labels = [("vol", f"input {shape(pic.input_shape)}"), ("ftext", window_text(pic)), ("", output_text(pic))]
    if pic.mode is not Mode.pool:
        labels.append(("", f"each output value: {num(pic.macs_per_output)} MACs"))
    for i, (cls, text) in enumerate(labels):
        parts.append(f'<text class="{cls}" x="{x0:.0f}" y="{top + 15 * i:.0f}">{esc(text)}</text>')
    height = top + 15 * len(labels)
    width = max(ox + (shown - 1) * 5 + mw + 16, 440.0)
    title = {
        Mode.conv: "One filter spanning the input's channels",
        Mode.pointwise: "A 1×1 conv: one filter mixing channels",
        Mode.depthwise: "Depthwise: one filter per channel",
        Mode.pool: "Pooling acts on each map alone",
    }[pic.mode]
    return (
        f'<svg class="picture" data-mode="{pic.mode.value}" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="{id_}-t {id_}-d">'
        f'<title id="{id_}-t">{esc(title)}</title><desc id="{id_}-d">{esc(describe(pic))}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def derivation_html(e: Explanation) -> str:
    """The derivation's sentences and its lines as a table: quantity, formula, numbers, value."""
    out = [f"<p>{esc(t)}</p>" for t in e.derivation.text]
    if e.derivation.lines:
        out.append(
            '<table class="deriv"><thead><tr><th scope="col">quantity</th><th scope="col">formula</th>'
            '<th scope="col">with the numbers</th><th scope="col">value</th></tr></thead><tbody>'
        )
        out += [
            f"<tr><td>{esc(line.quantity)}</td><td>{esc(line.formula)}</td><td>{esc(line.expression)}</td>"
            f'<td class="num">{esc(num(line.value))}</td></tr>'
            for line in e.derivation.lines
        ]
        out.append("</tbody></table>")
    return "".join(out)
