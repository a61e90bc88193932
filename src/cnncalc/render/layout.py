"""Where the HTML report draws each node: presentation geometry, not figures.

A spec is mostly series-parallel, so the layout follows its structure instead of a general graph
algorithm: a sequence (the network, a block instance, a branch, a repeat and its copies) is stacked top
to bottom, a parallel puts its branches side by side above its merge, an empty (identity) branch is a
narrow column the shortcut edge runs down. A module is drawn either collapsed — one node with its
subtotal — or expanded — a frame around its contents. Edges join the visible nodes that produce and read
each tensor (a folded module stands for every row inside it), so references and side outputs are just
more edges.

:func:`place` computes the positions for a set of expanded modules; the page re-applies exactly these
rules in its script when a module is toggled (the browser tests compare the two).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..derivation import dims
from ..memory import INPUT
from ..record import record
from ..report import LayerResult, ModuleResult, Report

NODE_W, NODE_H = 196, 52  # a node: three lines of text
GAP_W = 28  # an empty branch's column
V_GAP = 30  # between stacked items: room for an edge and its shape label
H_GAP = 18  # between branches
PAD = 10  # inside a module's frame
LABEL_H = 20  # a module frame's title
MARGIN = 16
LANES = 64  # room right of the drawing for edges routed around the nodes they would cross
OUTPUT = "output"


class Kind(str, Enum):
    node = "node"  # a layer, a merge, the input or an output
    seq = "seq"  # a module whose contents are stacked
    par = "par"  # a parallel: branches side by side, then its merge
    gap = "gap"  # an empty branch


@dataclass(slots=True)
class Item:
    """One thing in the drawing tree; modules (``seq``/``par`` with an entry) can be collapsed."""

    id: str
    name: str  # the entry's path, "input", or an output's name
    kind: Kind
    children: list[Item] = field(default_factory=list)
    parent: Item | None = field(default=None, repr=False)
    collapsible: bool = False
    start_expanded: bool = True
    branch: bool = False  # a branch of a parallel
    depth: int = 0  # the entry's nesting depth (Report's), for opening modules to a --depth

    def walk(self) -> Iterable[Item]:
        yield self
        for child in self.children:
            yield from child.walk()


@record
class Edge:
    """A tensor from one entry to another (paths; ``input`` and outputs by name), with its shape."""

    source: str
    target: str
    shape: tuple[int, ...]
    via: str = ""  # the id of the empty branch it runs down


@record
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def bottom(self) -> tuple[float, int]:
        return (self.x + self.w / 2, self.y + self.h)

    @property
    def top(self) -> tuple[float, int]:
        return (self.x + self.w / 2, self.y)


@record
class Tree:
    root: Item
    items: dict[str, Item]  # by id
    by_name: dict[str, Item]  # by entry name
    edges: tuple[Edge, ...]
    outputs: tuple[str, ...]  # the names of the output nodes

    def initially_expanded(self, depth: int | None = None) -> frozenset[str]:
        """The modules open at first: parallels, not blocks or repeats — or, given ``depth``, the modules
        nested less deep than it (``--depth 0`` folds every module, as in the table)."""
        if depth is not None:
            return frozenset(i.id for i in self.items.values() if i.collapsible and i.depth < depth)
        return frozenset(i.id for i in self.items.values() if i.collapsible and i.start_expanded)

    def visible(self, item: Item, expanded: frozenset[str]) -> Item:
        """The item drawn for ``item``: its outermost collapsed ancestor, or itself."""
        shown = item
        node = item.parent
        while node is not None:
            if node.collapsible and node.id not in expanded:
                shown = node
            node = node.parent
        return shown

    def to_json(self) -> dict[str, Any]:
        """The tree and edges for the page's script (ids only; names stay in the markup)."""
        return {
            "root": _item_json(self.root),
            "edges": [[self.by_name[e.source].id, self.by_name[e.target].id, dims(e.shape), e.via] for e in self.edges],
            "sizes": {
                "node": [NODE_W, NODE_H],
                "gap": GAP_W,
                "vgap": V_GAP,
                "hgap": H_GAP,
                "pad": PAD,
                "label": LABEL_H,
                "margin": MARGIN,
                "lanes": LANES,
            },
        }


def _item_json(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id, "k": item.kind.value}
    if item.collapsible:
        out["c"] = 1
    if item.children:
        out["ch"] = [_item_json(c) for c in item.children]
    return out


def build(report: Report) -> Tree:
    """The drawing tree of a report: the input, every entry in order, then the outputs."""
    ids = (f"g{i}" for i in itertools.count())
    root = Item(next(ids), "", Kind.seq)
    by_name: dict[str, Item] = {INPUT: Item(next(ids), INPUT, Kind.node, parent=root)}
    root.children.append(by_name[INPUT])
    stack: list[Item] = [root]
    for entry in report.order:
        while len(stack) > 1 and not entry.name.startswith(stack[-1].name + "/"):
            stack.pop()
        parent = stack[-1]
        item = _item(entry, next(ids), parent)
        parent.children.append(item)
        by_name[entry.name] = item
        if isinstance(entry, ModuleResult):
            stack.append(item)
    for item in list(by_name.values()):
        if _is_parallel(item):
            item.kind = Kind.par  # a block whose body is one parallel holds the branches itself
        if item.branch and not item.children:
            item.kind = Kind.gap
    outputs = []
    for i, out in enumerate(report.outputs or ()):
        name = OUTPUT if i == 0 else out.name
        if name in by_name:
            name = f"{OUTPUT}: {out.name}"
        node = Item(next(ids), name, Kind.node, parent=root)
        by_name[name] = node
        outputs.append((name, out.layer, out.shape))
    if outputs:
        root.children.append(_row([by_name[name] for name, _, _ in outputs], next(ids), root))
    items = {i.id: i for i in root.walk()}
    return Tree(root, items, by_name, tuple(_edges(report, by_name, outputs)), tuple(n for n, _, _ in outputs))


def _is_parallel(item: Item) -> bool:
    """Branches, then the merge."""
    kids = item.children
    return len(kids) >= 2 and all(k.branch for k in kids[:-1]) and kids[-1].kind is Kind.node


def _row(nodes: list[Item], id_: str, parent: Item) -> Item:
    """Several outputs side by side: a parallel without a merge."""
    row = Item(id_, "", Kind.par, parent=parent)
    for node in nodes:
        column = Item(node.id + "c", "", Kind.seq, [node], parent=row)
        node.parent = column
        row.children.append(column)
    return row


def _item(entry: LayerResult | ModuleResult, id_: str, parent: Item) -> Item:
    if isinstance(entry, LayerResult):
        return Item(id_, entry.name, Kind.node, parent=parent, depth=entry.depth)
    if entry.type == "branch":
        return Item(id_, entry.name, Kind.seq, parent=parent, branch=True, depth=entry.depth)
    opened = entry.type == "parallel"
    return Item(id_, entry.name, Kind.seq, parent=parent, collapsible=True, start_expanded=opened, depth=entry.depth)


def _edges(report: Report, by_name: dict[str, Item], outputs: list[tuple[str, str, tuple[int, ...]]]) -> list[Edge]:
    edges: list[Edge] = []
    for row in report.layers:
        branches = _branches(by_name[row.name]) if row.is_merge else []
        for i, (producer, shape) in enumerate(zip(row.inputs, row.input_shapes, strict=True)):
            via = branches[i].id if i < len(branches) and branches[i].kind is Kind.gap else ""
            edges.append(Edge(producer, row.name, shape, via))
    for name, layer, shape in outputs:
        edges.append(Edge(layer if layer in by_name else INPUT, name, shape))
    return edges


def _branches(merge: Item) -> list[Item]:
    """The branches of the parallel a merge closes, in order (a merge is the parallel's last child)."""
    par = merge.parent
    if par is None or par.kind is not Kind.par or par.children[-1] is not merge:
        return []
    return par.children[:-1]


# --------------------------------------------------------------------------------------------- placing


@record
class Placed:
    boxes: dict[str, Box]  # every drawn item: visible nodes, collapsed modules, frames of expanded modules
    width: int
    height: int


def place(tree: Tree, expanded: frozenset[str]) -> Placed:
    """Positions of everything drawn when the modules in ``expanded`` (ids) are open."""
    sizes: dict[str, tuple[int, int]] = {}
    _measure(tree.root, expanded, sizes)
    boxes: dict[str, Box] = {}
    w, h = sizes[tree.root.id]
    _put(tree.root, MARGIN, MARGIN, w, expanded, sizes, boxes)
    return Placed(boxes, w + 2 * MARGIN + LANES, h + 2 * MARGIN)


def _collapsed(item: Item, expanded: frozenset[str]) -> bool:
    return item.collapsible and item.id not in expanded


def _framed(item: Item) -> bool:
    return item.collapsible


def _measure(item: Item, expanded: frozenset[str], sizes: dict[str, tuple[int, int]]) -> tuple[int, int]:
    if item.kind is Kind.node or _collapsed(item, expanded):
        size = (NODE_W, NODE_H)
    elif item.kind is Kind.gap:
        size = (GAP_W, 0)
    else:
        kids = [_measure(c, expanded, sizes) for c in item.children]
        if item.kind is Kind.par:
            branches, merge = _split(item, kids)
            w = sum(k[0] for k in branches) + H_GAP * max(len(branches) - 1, 0)
            h = max((k[1] for k in branches), default=0)
            if merge is not None:
                w, h = max(w, merge[0]), h + V_GAP + merge[1]
        else:
            w = max((k[0] for k in kids), default=NODE_W)
            h = sum(k[1] for k in kids) + V_GAP * max(len(kids) - 1, 0)
        if _framed(item):
            w, h = w + 2 * PAD, h + 2 * PAD + LABEL_H
        size = (w, h)
    sizes[item.id] = size
    return size


def _split(item: Item, kids: list[Any]) -> tuple[list[Any], Any]:
    """A parallel's branches and its merge (None for the outputs row)."""
    if item.children and item.children[-1].kind is Kind.node:
        return kids[:-1], kids[-1]
    return kids, None


def _put(
    item: Item,
    x: int,
    y: int,
    width: int,
    expanded: frozenset[str],
    sizes: dict[str, tuple[int, int]],
    boxes: dict[str, Box],
) -> None:
    """Place ``item`` centred in a column ``width`` wide starting at ``x``."""
    w, h = sizes[item.id]
    left = x + (width - w) // 2
    boxes[item.id] = Box(left, y, w, h)
    if item.kind in (Kind.node, Kind.gap) or _collapsed(item, expanded):
        return
    inner_x, inner_y, inner_w = left, y, w
    if _framed(item):
        inner_x, inner_y, inner_w = left + PAD, y + PAD + LABEL_H, w - 2 * PAD
    if item.kind is Kind.par:
        branches, merge = _split(item, item.children)
        row_w = sum(sizes[b.id][0] for b in branches) + H_GAP * max(len(branches) - 1, 0)
        row_h = max((sizes[b.id][1] for b in branches), default=0)
        bx = inner_x + (inner_w - row_w) // 2
        for b in branches:
            bw = sizes[b.id][0]
            if b.kind is Kind.gap:
                boxes[b.id] = Box(bx, inner_y, bw, row_h)
            else:
                _put(b, bx, inner_y, bw, expanded, sizes, boxes)
            bx += bw + H_GAP
        if merge is not None:
            _put(merge, inner_x, inner_y + row_h + V_GAP, inner_w, expanded, sizes, boxes)
        return
    cy = inner_y
    for child in item.children:
        _put(child, inner_x, cy, inner_w, expanded, sizes, boxes)
        cy += sizes[child.id][1] + V_GAP


def visible_edges(tree: Tree, placed: Placed, expanded: frozenset[str]) -> list[tuple[str, str, str, str]]:
    """(source id, target id, shape, via id) between the drawn nodes, without repeats or self-loops."""
    seen: dict[tuple[str, str, str, str], None] = {}
    for e in tree.edges:
        a = tree.visible(tree.by_name[e.source], expanded).id
        b = tree.visible(tree.by_name[e.target], expanded).id
        via = e.via if e.via in placed.boxes else ""
        if a != b:
            seen[(a, b, dims(e.shape), via)] = None
    return list(seen)


@record
class Route:
    """An edge drawn: its SVG path and where its shape label goes."""

    path: str
    label_x: float
    label_y: float
    around: bool = False  # routed around nodes, in a lane


def px(value: float) -> str:
    """A coordinate as the page's script writes it: ``98``, ``147.5`` (never exponents)."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def drawn_nodes(tree: Tree, placed: Placed, expanded: frozenset[str]) -> list[Box]:
    """The boxes of the nodes drawn (layers, merges, ends and folded modules), top to bottom."""
    shown = [
        placed.boxes[i.id]
        for i in tree.items.values()
        if i.id in placed.boxes and (i.kind is Kind.node or (i.collapsible and i.id not in expanded))
    ]
    return sorted(shown, key=lambda b: (b.y, b.x))


def route(a: Box, b: Box, via: Box | None, nodes: list[Box], lane: int) -> Route:
    """From the bottom of ``a`` to the top of ``b``: a curve, down an empty branch's column when there is
    one, straight down ``a``'s column past the nodes beside it and then a curve (a short branch into its
    merge), or — when drawn nodes lie in that column too (a reference reaching back over a stack) — out to a lane
    right of those nodes, down, and back into the side of ``b``. ``lane`` counts such edges so far, to
    space their lanes; ``nodes`` come from :func:`drawn_nodes`."""
    (sx, sy), (tx, ty) = a.bottom, b.top
    if via is not None:
        gx, top, bottom = via.x + via.w / 2, via.y, via.y + via.h
        down = f"C{px(sx)},{top} {px(gx)},{sy} {px(gx)},{top} V{bottom}"
        path = f"M{px(sx)},{sy} {down} C{px(gx)},{ty} {px(tx)},{bottom} {px(tx)},{ty}"
        return Route(path, gx + 3, top + via.h / 2)
    between = []
    if ty - sy >= NODE_H:  # room for a node between them
        lo, hi = min(sx, tx), max(sx, tx)
        start = bisect.bisect_left(nodes, sy, key=lambda n: n.y)
        for n in nodes[start:]:
            if n.y >= ty:
                break
            if n.y + n.h <= ty and n.x <= hi and n.x + n.w >= lo and n != a and n != b:
                between.append(n)
    if not between:
        mid = (sy + ty) / 2
        return Route(f"M{px(sx)},{sy} C{px(sx)},{px(mid)} {px(tx)},{px(mid)} {px(tx)},{ty}", sx + 4, sy + 13)
    drop = max(n.y + n.h for n in between)
    start = bisect.bisect_left(nodes, sy, key=lambda n: n.y)
    blocked = False
    for n in nodes[start:]:
        if n.y >= drop:
            break
        if n.x <= sx <= n.x + n.w and n != a and n != b:
            blocked = True
            break
    if not blocked:  # a branch's last node into its merge: straight down its own column, then a curve
        mid = (drop + ty) / 2
        path = f"M{px(sx)},{sy} V{px(drop)} C{px(sx)},{px(mid)} {px(tx)},{px(mid)} {px(tx)},{ty}"
        return Route(path, sx + 4, sy + 13)
    x = max(max(n.x + n.w for n in between), a.x + a.w, b.x + b.w) + 24 + 8 * (lane % 5)  # past two frames
    ax, ay, bx, by = a.x + a.w, a.y + a.h / 2, b.x + b.w, b.y + b.h / 2
    out = f"C{x},{px(ay)} {x},{px(ay)} {x},{px(ay + 20)}"
    back = f"C{x},{px(by)} {x},{px(by)} {bx},{px(by)}"
    path = f"M{ax},{px(ay)} {out} V{px(by - 20)} {back}"
    return Route(path, x + 3, (ay + by) / 2, around=True)
