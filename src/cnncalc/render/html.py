"""``cnncalc report``: one self-contained HTML page — the graph drawn as SVG, the table, the totals, the
warnings, where the MACs and parameters go, and per conv or pooling layer the picture of what it does.

Nothing is fetched when the page is viewed: the style, the script and every drawing are inline, and the
page names no external address. All text from the spec is escaped. The layout comes from
:mod:`.layout`; every figure from the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

from ..explain import Explanation, explain
from ..memory import INPUT
from ..picture import picture
from ..receptive import Number
from ..report import ModuleResult, Report
from .columns import COLUMNS, DEFAULT_VIEW, Entry, View
from .fmt import both, convention_line, human, human_bytes, percent, shape
from .layout import NODE_H, NODE_W, Box, Item, Kind, Placed, Tree, build, drawn_nodes, place, px, route, visible_edges
from .picture import derivation_html, esc, picture_svg

# MAC share → colour class: the legend's buckets, lower bounds
SHARES: tuple[tuple[float, str], ...] = (
    (0.20, "≥ 20%"),
    (0.10, "10–20%"),
    (0.05, "5–10%"),
    (0.01, "1–5%"),
    (1e-12, "< 1%"),
    (0.0, "no MACs"),
)
TABLE_COLUMNS = (
    *("layer", "type", "input", "output", "details"),
    *("params", "macs", "share", "activations", "memory", "rf"),
)
_SORT_KEYS: dict[str, Callable[[Entry], Number]] = {
    "params": lambda e: e.params,
    "macs": lambda e: e.macs,
    "share": lambda e: e.macs,
    "activations": lambda e: e.activations,
    "memory": lambda e: e.activation_bytes,
    "rf": lambda e: e.receptive_field[0].size if e.receptive_field else 0,
}
_NAME_CHARS = 27  # what fits on a node's first line


@cache
def asset(name: str) -> str:
    """The page's style sheet or script (shipped in the package beside this module)."""
    return resources.files("cnncalc.render").joinpath(f"assets/{name}").read_text(encoding="utf-8")


def page(title: str, body: str, script: bool) -> str:
    """An HTML document with the style sheet and, when asked, the script inline."""
    js = f"<script>{asset('report.js')}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="cnncalc">'
        f"<title>{esc(title)}</title><style>{asset('report.css')}</style></head>"
        f"<body>{body}{js}</body></html>\n"
    )


def share_class(share: float) -> str:
    for i, (bound, _) in enumerate(SHARES):
        if share >= bound:
            return f"s{len(SHARES) - 1 - i}"
    return "s0"


def render_html(report: Report, view: View = DEFAULT_VIEW) -> str:
    """The page; ``view.depth`` opens the modules nested less deep than it (by default blocks and repeats
    start folded, parallels open)."""
    tree = build(report)
    expanded = tree.initially_expanded(view.depth)
    placed = place(tree, expanded)
    explanations = {e.row.name: e for e in explain(report)}
    body = "".join(
        [
            _header(report),
            _totals(report),
            _warnings(report, tree),
            _graph(report, tree, placed, expanded),
            _charts(report, tree),
            _table(report, tree),
            _templates(report, tree, explanations),
            '<script type="application/json" id="layout">',
            json.dumps(tree.to_json(), separators=(",", ":")).replace("</", "<\\/"),
            "</script>",
        ]
    )
    return page(f"{report.name} — cnncalc report", body, script=True)


def _header(report: Report) -> str:
    batch = f", batch {report.batch}" if report.batch > 1 else ""
    out = [f"<header><h1>{esc(report.name)}</h1>"]
    if report.description:
        out.append(f'<p class="desc">{esc(report.description)}</p>')
    if report.source:
        out.append(f'<p class="source">Source: {esc(report.source)}</p>')
    out.append(
        f"<p>Input {esc(shape(report.input_shape))} → output {esc(shape(report.output_shape))}{esc(batch)}, "
        f"{esc(report.dtype)}. {esc(convention_line(report))}</p>"
    )
    out.append(
        '<nav aria-label="Sections"><a href="#graph">Graph</a> <a href="#charts">Where the MACs go</a> '
        '<a href="#table">Table</a></nav></header><main>'
    )
    return "".join(out)


def _totals(report: Report) -> str:
    t = report.totals
    items = [
        ("Params", both(t.params)),
        ("MACs", both(t.macs)),
        ("FLOPs", both(t.flops)),
        ("Layers", f"{t.layers:,}"),
        ("Activations", both(t.activations)),
        ("Parameter memory", human_bytes(t.param_bytes)),
        ("Activation memory", human_bytes(t.activation_bytes)),
        ("Peak activation memory", f"{human_bytes(t.peak_activation_bytes)} (at {t.peak_activation_layer})"),
    ]
    if t.non_trainable_params:
        items.insert(1, ("Non-trainable params", both(t.non_trainable_params)))
    if t.unknown_cost_rows:
        items.insert(items.index(("FLOPs", both(t.flops))) + 1, ("Rows of unknown cost", t.unknown_cost_note))
    cells = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items)
    return f'<section id="totals" aria-label="Totals"><h2>Totals</h2><dl class="totals">{cells}</dl></section>'


def _link(tree: Tree, name: str) -> str:
    """The entry's path, linked to its node: following it opens the blocks around it and selects it."""
    item = tree.by_name.get(name)
    return f'<a href="#{item.id}" data-go="{item.id}">{esc(name)}</a>' if item else esc(name)


def _warnings(report: Report, tree: Tree) -> str:
    if not report.warnings:
        return ""
    items = "".join(
        f"<li>{_link(tree, w.layer) + ': ' if w.layer else ''}{esc(w.message)}</li>" for w in report.warnings
    )
    return f'<section id="warnings"><h2>Warnings ({len(report.warnings)})</h2><ul>{items}</ul></section>'


# ------------------------------------------------------------------------------------------------ graph


def _graph(report: Report, tree: Tree, placed: Placed, expanded: frozenset[str]) -> str:
    entries = {e.name: e for e in report.order}
    shapes = {o_name: o.shape for o_name, o in zip(tree.outputs, report.outputs, strict=False)}
    frames: list[str] = []
    parts: list[str] = []
    for item in tree.items.values():
        box = placed.boxes.get(item.id)
        module = entries.get(item.name)
        if item.collapsible and isinstance(module, ModuleResult):
            shown_node = box is not None and item.id not in expanded
            shown_frame = box is not None and item.id in expanded
            frame, title = _module_frame(item, module, box if shown_frame else None)
            frames.append(frame)
            parts += [_node(item, module, report, box if shown_node else None), title]
        elif item.kind is Kind.node:
            if item.name == INPUT:
                parts.append(_end_node(item, INPUT, report.input_shape, box))
            elif item.name in shapes:
                parts.append(_end_node(item, item.name, shapes[item.name], box))
            else:
                parts.append(_node(item, entries[item.name], report, box))
    edges = edges_svg(tree, placed, expanded)
    legend = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true"><rect class="{share_class(bound)}" width="14" '
        f'height="14" rx="2"/></svg> {esc(text)}</li>'
        for bound, text in SHARES
    )
    desc = (
        f"The layers of {report.name} from input (top) to output (bottom); parallel branches side by side. "
        "Blocks start folded: select one to open it."
    )
    return (
        '<section id="graph-section" aria-labelledby="graph-h"><h2 id="graph-h">Graph</h2>'
        '<p class="hint">Colour: share of the MACs. Click a node (or Tab to it and press Enter) to see how its '
        "figures are computed; click a folded block (▸) to open it, its frame's title (▾) to fold it.</p>"
        f'<ul class="legend" aria-label="Share of the MACs">{legend}</ul>'
        '<div class="graph-wrap"><div class="graph-scroll">'
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{placed.width}" height="{placed.height}" '
        f'viewBox="0 0 {placed.width} {placed.height}" role="group" aria-labelledby="graph-t graph-d" '
        f"data-expanded='{json.dumps(sorted(expanded))}'>"
        f'<title id="graph-t">Graph of {esc(report.name)}</title><desc id="graph-d">{esc(desc)}</desc>'
        f'<g id="frames">{"".join(frames)}</g><g id="edges">{edges}</g><g id="nodes">{"".join(parts)}</g>'
        "</svg></div>"
        '<aside id="details" aria-live="polite" aria-label="Selected node"><p class="hint">Select a node to see '
        "its figures and how they are computed.</p></aside></div></section>"
    )


def _place_attrs(box: Box | None) -> str:
    return f'transform="translate({box.x},{box.y})"' if box else 'transform="translate(0,0)" display="none"'


def _leaf(name: str) -> str:
    leaf = name.rsplit("/", 1)[-1]
    return leaf if len(leaf) <= _NAME_CHARS else leaf[: _NAME_CHARS - 1] + "…"


def _figures(e: Entry) -> str:
    parts = [f"{human(e.params)} params" if e.params else "", f"{human(e.macs)} MACs" if e.macs else ""]
    return " · ".join(p for p in parts if p) or "no params, no MACs"


def _node_svg(item: Item, cls: str, lines: tuple[str, str, str], label: str, box: Box | None, extra: str) -> str:
    first, second, third = (esc(x) for x in lines)
    return (
        f'<g class="node {cls}" id="{item.id}" data-name="{esc(item.name)}" tabindex="0" role="button"'
        f"{extra} {_place_attrs(box)}><title>{esc(label)}</title>"
        f'<rect width="{NODE_W}" height="{NODE_H}" rx="5"/>'
        f'<text x="8" y="16" class="name">{first}</text><text x="8" y="31">{second}</text>'
        f'<text x="8" y="45" class="fig">{third}</text></g>'
    )


def _node(item: Item, e: Entry, report: Report, box: Box | None) -> str:
    share = report.mac_share(e)
    label = f"{e.name} ({e.type}): output {shape(e.output_shape)}, {e.params:,} params, {e.macs:,} MACs"
    if share:
        label += f" ({percent(share)} of the MACs)"
    if isinstance(e, ModuleResult):
        lines = (f"▸ {_leaf(e.name)}", f"{e.type} · {e.layers:,} layers", _figures(e))
        return _node_svg(item, f"mod {share_class(share)}", lines, label + "; folded", box, ' aria-expanded="false"')
    lines = (_leaf(e.name), f"{e.type} → {shape(e.output_shape)}", _figures(e))
    return _node_svg(item, share_class(share), lines, label, box, "")


def _end_node(item: Item, name: str, dims: tuple[int, ...], box: Box | None) -> str:
    label = f"{name} {shape(dims)}"
    return _node_svg(item, "end", (_leaf(name), shape(dims), ""), label, box, "")


def _module_frame(item: Item, e: ModuleResult, box: Box | None) -> tuple[str, str]:
    """An open module's frame, and its title: drawn with the nodes so that Tab reaches it before them."""
    w, h = (box.w, box.h) if box else (NODE_W, NODE_H)
    label = f"{e.name} ({e.type}), open: fold it"
    frame = f'<g class="frame" id="f{item.id}" {_place_attrs(box)}><rect width="{w}" height="{h}" rx="8"/></g>'
    title = (
        f'<g class="flabel" id="l{item.id}" tabindex="0" role="button" aria-expanded="true" '
        f'aria-label="{esc(label)}" data-fold="{item.id}" {_place_attrs(box)}><title>{esc(label)}</title>'
        f'<text x="10" y="15">{esc(f"▾ {_leaf(e.name)} ({e.type})")}</text></g>'
    )
    return frame, title


def edges_svg(tree: Tree, placed: Placed, expanded: frozenset[str]) -> str:
    """Every edge between drawn nodes; the shape is written once per source (a fork's branches share it)."""
    nodes = drawn_nodes(tree, placed, expanded)
    boxes = placed.boxes
    labelled: set[tuple[str, str]] = set()
    lanes, out = 0, []
    for a, b, label, via in visible_edges(tree, placed, expanded):
        way = route(boxes[a], boxes[b], boxes.get(via) if via else None, nodes, lanes)
        lanes += way.around
        out.append(f'<path class="edge" d="{way.path}"/>')
        if (via or a, label) not in labelled:
            labelled.add((via or a, label))
            out.append(f'<text class="elabel" x="{px(way.label_x)}" y="{px(way.label_y)}">{esc(label)}</text>')
    return "".join(out)


# ----------------------------------------------------------------------------------------- charts, table


def _charts(report: Report, tree: Tree) -> str:
    rows = [r.entry for r in report.rows(0) if not r.header and (r.entry.macs or r.entry.params)]
    charts = []
    figures: tuple[tuple[str, Callable[[Entry], int], Callable[[Entry], float]], ...] = (
        ("MACs", lambda e: e.macs, report.mac_share),
        ("Params", lambda e: e.params, report.param_share),
    )
    for title, value, share in figures:
        bars = "".join(
            f'<li><span class="blabel">{_link(tree, e.name)}</span><span class="track">'
            f'<span class="bar" style="width:{share(e) * 100:.2f}%"></span></span>'
            f'<span class="bval">{esc(human(value(e)))} {esc(percent(share(e)))}</span></li>'
            for e in rows
            if value(e)
        )
        charts.append(f'<figure class="chart"><figcaption>{title}</figcaption><ul>{bars}</ul></figure>')
    return (
        '<section id="charts"><h2>Where the MACs and parameters go</h2>'
        '<p class="hint">Top-level rows; a block counts as one.</p>' + "".join(charts) + "</section>"
    )


def _sort_value(value: Number) -> str:
    return str(value) if isinstance(value, int) else str(float(value))


def _table(report: Report, tree: Tree) -> str:
    """Every layer in execution order (the # column sorts back to it), every column sortable."""
    columns = [COLUMNS[name] for name in TABLE_COLUMNS]
    heads = [("#", "execution order", True), *((c.heading, c.help, c.numeric) for c in columns)]
    head = "".join(
        f'<th scope="col" class="{"num" if numeric else ""}" aria-sort="none">'
        f'<button type="button" data-col="{i}" title="{esc(help_)}">{esc(heading)}</button></th>'
        for i, (heading, help_, numeric) in enumerate(heads)
    )
    body = []
    for n, e in enumerate(report.layers, 1):
        cells = [f'<td class="num" data-v="{n}">{n}</td>']
        for c in columns:
            key = _SORT_KEYS.get(c.name)
            sort = f' data-v="{_sort_value(key(e))}"' if key else ""
            content = _link(tree, e.name) if c.name == "layer" else esc(c.cell(report, e, True))
            cells.append(f'<td class="{"num" if c.numeric else ""}"{sort}>{content}</td>')
        body.append(f'<tr data-id="{tree.by_name[e.name].id}">{"".join(cells)}</tr>')
    t = report.totals
    foot = (
        f'<tfoot><tr><th scope="row" colspan="2">Total</th><td colspan="4"></td><td class="num">{t.params:,}</td>'
        f'<td class="num">{t.macs:,}</td><td colspan="4"></td></tr></tfoot>'
    )
    return (
        '<section id="table"><h2>Layers</h2><p class="hint">Click a heading to sort; again to reverse; # '
        "returns to execution order.</p>"
        f'<div class="table-scroll"><table class="layers"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody>{foot}</table></div></section>"
    )


# ------------------------------------------------------------------------------------ per-node details


def _templates(report: Report, tree: Tree, explanations: dict[str, Explanation]) -> str:
    """Each node's details, and each distinct picture once (layers of one shape share it)."""
    pictures: dict[str, int] = {}
    out = []
    for e in report.order:
        item = tree.by_name[e.name]
        content = details_html(report, e, explanations.get(e.name), pictures)
        out.append(f'<template id="t{item.id}">{content}</template>')
    out += [f'<template id="pic{n}">{svg}</template>' for svg, n in pictures.items()]
    return "".join(out) + "</main>"


def _facts(items: Iterable[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def details_html(report: Report, e: Entry, explanation: Explanation | None, pictures: dict[str, int]) -> str:
    """What the panel shows for a selected node: its figures, picture and derivation. A layer's figures are
    its table row's, which the page's script copies in; the picture is a reference into ``pictures``
    (drawing → number), which the script fills in too."""
    heading = f'<h3 class="dname">{esc(e.name)}</h3>'
    if isinstance(e, ModuleResult):
        facts = [
            ("type", e.type),
            ("input", shape(e.input_shape)),
            ("output", shape(e.output_shape)),
            ("params", both(e.params)),
            ("MACs", f"{both(e.macs)} {percent(report.mac_share(e))}".strip()),
            ("activations", both(e.activations)),
            ("layers inside", f"{e.layers:,}"),
        ]
        return heading + _facts(facts)
    out = [heading, '<dl class="facts" data-row></dl>']
    pic = picture(e)
    if pic is not None:
        number = pictures.setdefault(picture_svg(pic, "pic"), len(pictures))
        out.append(f'<div class="pic" data-pic="{number}"></div>')
    if explanation is not None:
        out.append(derivation_html(explanation))
    return "".join(out)
