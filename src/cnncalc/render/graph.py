"""The network as a graph — Graphviz DOT or Mermaid (renders in GitHub Markdown) — with the shape of every
tensor on its edge. Branches show as forks and joins; block instances, parallels and repeats as boxes
around their layers; ``--depth`` folds deeper blocks into one node each."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from ..memory import INPUT
from ..record import record
from ..report import ModuleResult, Report
from .columns import DEFAULT_VIEW, View
from .fmt import shape

OUTPUT = "output"
_UNBOXED = ("branch", "copy")  # a fork already shows a branch; a repeat's box holds its copies


@record
class Graph:
    """Nodes (id, label lines), edges (source id, target id, shape) and nested boxes."""

    nodes: dict[str, tuple[str, tuple[str, ...]]]  # entry name → (id, label lines)
    edges: tuple[tuple[str, str, str], ...]
    boxes: tuple[Box, ...]
    top: tuple[str, ...]  # entry names outside every box


@record
class Box:
    id: str
    label: str
    members: tuple[str, ...]  # entry names directly inside
    boxes: tuple[Box, ...]


def build(report: Report, depth: int | None = None) -> Graph:
    """The graph of the rows shown at ``depth``: a folded module is one node for every row inside."""
    shown = report.rows(depth)
    folded = {r.entry.name for r in shown if not r.header and isinstance(r.entry, ModuleResult)}
    nodes: dict[str, tuple[str, tuple[str, ...]]] = {INPUT: ("input", ("input", shape(report.input_shape)))}
    top: list[str] = [INPUT]
    boxes: list[_Open] = []  # the root's boxes
    stack: list[_Open] = []  # the boxes open at this point of the (pre-order) rows
    numbers = itertools.count(1)
    for row in shown:
        e = row.entry
        while stack and not e.name.startswith(stack[-1].name + "/"):
            stack.pop()
        if row.header:
            if e.type not in _UNBOXED:
                box = _Open(e.name, f"box{next(numbers)}", f"{e.name} ({e.type})", [], [])
                (stack[-1].boxes if stack else boxes).append(box)
                stack.append(box)
            continue
        nodes[e.name] = (f"n{len(nodes)}", (e.name, f"{e.type}: {e.details}" if e.details else e.type))
        (stack[-1].members if stack else top).append(e.name)
    nodes[OUTPUT] = ("output", ("output", shape(report.output_shape)))
    top.append(OUTPUT)

    def node_of(name: str) -> str:
        parts = name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in folded:
                return prefix
        return name

    edges: dict[tuple[str, str, str], None] = {}
    for layer in report.layers:
        target = node_of(layer.name)
        for producer, in_shape in zip(layer.inputs, layer.input_shapes, strict=True):
            source = INPUT if producer == INPUT else node_of(producer)
            if source != target:
                edges[(nodes[source][0], nodes[target][0], shape(in_shape))] = None
    if report.layers:
        last = nodes[node_of(report.layers[-1].name)][0]
        edges[(last, "output", shape(report.output_shape))] = None
    return Graph(nodes, tuple(edges), tuple(b.freeze() for b in boxes), tuple(top))


@dataclass(slots=True)
class _Open:
    """A box while the rows inside it are being read."""

    name: str
    id: str
    label: str
    members: list[str]
    boxes: list[_Open]

    def freeze(self) -> Box:
        return Box(self.id, self.label, tuple(self.members), tuple(b.freeze() for b in self.boxes))


def _quote(*lines: str) -> str:
    """A DOT string; lines are joined by DOT's centred line break ``\\n``."""
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def render_dot(report: Report, view: View = DEFAULT_VIEW) -> str:
    g = build(report, view.depth)
    lines = [
        f"digraph {_quote(report.name)} {{",
        "  rankdir=TB;",
        '  node [shape=box, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for end in (INPUT, OUTPUT):
        node_id, label = g.nodes[end]
        lines.append(f"  {node_id} [label={_quote(*label)}, shape=ellipse];")
    lines += _dot_members(g, g.top, "  ")
    lines += _dot_boxes(g, g.boxes, "  ")
    lines += [f"  {a} -> {b} [label={_quote(s)}];" for a, b, s in g.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_members(g: Graph, names: tuple[str, ...] | list[str], indent: str) -> list[str]:
    out = []
    for name in names:
        if name in (INPUT, OUTPUT):
            continue
        node_id, label = g.nodes[name]
        out.append(f"{indent}{node_id} [label={_quote(*label)}];")
    return out


def _dot_boxes(g: Graph, boxes: tuple[Box, ...], indent: str) -> list[str]:
    out = []
    for box in boxes:
        out.append(f"{indent}subgraph cluster_{box.id} {{")
        out.append(f"{indent}  label={_quote(box.label)}; style=rounded; color=gray60;")
        out += _dot_members(g, box.members, indent + "  ")
        out += _dot_boxes(g, box.boxes, indent + "  ")
        out.append(f"{indent}}}")
    return out


def _mermaid_text(text: str) -> str:
    """Mermaid label text: ``#`` starts an entity code, ``"`` ends the label, ``<``/``>`` are HTML."""
    return text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(report: Report, view: View = DEFAULT_VIEW) -> str:
    g = build(report, view.depth)
    lines = ["flowchart TD"]
    for end in (INPUT, OUTPUT):
        node_id, label = g.nodes[end]
        lines.append(f'  {node_id}(["{"<br/>".join(map(_mermaid_text, label))}"])')
    lines += list(_mermaid_members(g, g.top, "  "))
    lines += list(_mermaid_boxes(g, g.boxes, "  "))
    lines += [f'  {a} -->|"{_mermaid_text(s)}"| {b}' for a, b, s in g.edges]
    return "\n".join(lines) + "\n"


def _mermaid_members(g: Graph, names: tuple[str, ...] | list[str], indent: str) -> Iterator[str]:
    for name in names:
        if name in (INPUT, OUTPUT):
            continue
        node_id, label = g.nodes[name]
        yield f'{indent}{node_id}["{"<br/>".join(map(_mermaid_text, label))}"]'


def _mermaid_boxes(g: Graph, boxes: tuple[Box, ...], indent: str) -> Iterator[str]:
    for box in boxes:
        yield f'{indent}subgraph {box.id}["{_mermaid_text(box.label)}"]'
        yield from _mermaid_members(g, box.members, indent + "  ")
        yield from _mermaid_boxes(g, box.boxes, indent + "  ")
        yield f"{indent}end"
