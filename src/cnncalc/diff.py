"""Compare two specs layer by layer: what was added, removed or changed, and how the totals moved.

Rows are matched by aligning the two execution orders, not by path equality: a layer inserted early
renumbers every later automatic name (``conv3`` → ``conv4``), and matching by path would report each of
those as changed. Each row gets a signature — its kind, its arguments, and its path with automatic
numbers removed (``stage1/basic2/conv1`` → ``stage1/basic#/conv#``) — and
:class:`difflib.SequenceMatcher` aligns the signature sequences (the longest common runs first, in order,
as in ``diff``). Inside a stretch that does not match, rows are paired by kind in order: a conv whose
``filters`` changed is one changed conv, and what is left over was added or removed. So an inserted
layer reads as one insertion, plus the layers whose figures it really changes (the next conv's input
channels).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum

from .analysis import analyze
from .layers import REGISTRY
from .report import SCHEMA_VERSION, LayerResult, Report
from .spec import STRUCTURAL, GroupNode, LayerNode, Node, Spec

FIGURES = (
    "params",
    "non_trainable_params",
    "macs",
    "flops",
    "activations",
    "param_bytes",
    "activation_bytes",
    "layers",
)
_NUMBERED = re.compile(r"(.*?)(\d+)\Z")


class Change(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class LayerChange:
    change: Change
    old: LayerResult | None
    new: LayerResult | None

    @property
    def name(self) -> str:
        """``conv3``, or ``conv3 → conv4`` when the matched layer's path changed."""
        names = [r.name for r in (self.old, self.new) if r is not None]
        return names[0] if len(set(names)) == 1 else " → ".join(names)

    @property
    def type(self) -> str:
        row = self.new or self.old
        assert row is not None
        return row.type

    def to_dict(self) -> dict[str, object]:
        def side(row: LayerResult | None) -> dict[str, object] | None:
            if row is None:
                return None
            return {
                "name": row.name,
                "type": row.type,
                "output_shape": list(row.output_shape),
                "params": row.params,
                "macs": row.macs,
            }

        return {"change": self.change.value, "old": side(self.old), "new": side(self.new)}


@dataclass(frozen=True, slots=True)
class TotalChange:
    figure: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def relative(self) -> float | None:
        """The change as a fraction of the old value; None when the old value is 0."""
        return self.delta / self.old if self.old else None

    def to_dict(self) -> dict[str, object]:
        return {"old": self.old, "new": self.new, "change": self.delta, "relative": self.relative}


@dataclass(frozen=True, slots=True)
class Diff:
    old: Report
    new: Report
    layers: tuple[LayerChange, ...]  # added, removed and changed rows, in execution order
    unchanged: int  # matched rows with the same output shape, parameters and MACs
    totals: tuple[TotalChange, ...]

    def total(self, figure: str) -> TotalChange:
        return next(t for t in self.totals if t.figure == figure)

    def increased(self, figures: Iterable[str]) -> tuple[str, ...]:
        """Those of ``figures`` whose total grew."""
        return tuple(f for f in figures if self.total(f).delta > 0)

    def to_dict(self) -> dict[str, object]:
        def side(report: Report) -> dict[str, object]:
            return {
                "name": report.name,
                "input_shape": list(report.input_shape),
                "output_shape": list(report.output_shape),
            }

        return {
            "schema_version": SCHEMA_VERSION,
            "old": side(self.old),
            "new": side(self.new),
            "layers": [c.to_dict() for c in self.layers],
            "unchanged_layers": self.unchanged,
            "totals": {t.figure: t.to_dict() for t in self.totals},
        }


def diff(old: Spec, new: Spec, *, batch: int = 1, dtype: str = "float32") -> Diff:
    """Analyse both specs and compare them (see the module docstring for how rows are matched)."""
    before, after = analyze(old, batch=batch, dtype=dtype), analyze(new, batch=batch, dtype=dtype)
    changes: list[LayerChange] = []
    unchanged = 0
    for i, j in align(_signatures(old, before), _signatures(new, after), before, after):
        a = before.layers[i] if i is not None else None
        b = after.layers[j] if j is not None else None
        if a is None or b is None:
            changes.append(LayerChange(Change.ADDED if a is None else Change.REMOVED, a, b))
        elif (a.output_shape, a.params, a.macs) != (b.output_shape, b.params, b.macs):
            changes.append(LayerChange(Change.CHANGED, a, b))
        else:
            unchanged += 1
    totals = tuple(TotalChange(f, getattr(before.totals, f), getattr(after.totals, f)) for f in FIGURES)
    return Diff(before, after, tuple(changes), unchanged, totals)


def align(
    old: Sequence[Hashable], new: Sequence[Hashable], before: Report, after: Report
) -> list[tuple[int | None, int | None]]:
    """Pairs of row indexes (old, new); ``None`` on one side is an insertion or a removal."""
    pairs: list[tuple[int | None, int | None]] = []
    outer = SequenceMatcher(None, old, new, autojunk=False)  # autojunk would ignore frequent rows (relu)
    for tag, i1, i2, j1, j2 in outer.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        kinds_old = [before.layers[i].type for i in range(i1, i2)]
        kinds_new = [after.layers[j].type for j in range(j1, j2)]
        inner = SequenceMatcher(None, kinds_old, kinds_new, autojunk=False)
        for tag2, a1, a2, b1, b2 in inner.get_opcodes():
            if tag2 == "equal":
                pairs.extend(zip(range(i1 + a1, i1 + a2), range(j1 + b1, j1 + b2), strict=True))
            else:
                pairs.extend((i, None) for i in range(i1 + a1, i1 + a2))
                pairs.extend((None, j) for j in range(j1 + b1, j1 + b2))
    return pairs


def _signatures(spec: Spec, report: Report) -> list[Hashable]:
    """Per row: kind, arguments, and the path with automatic numbers removed."""
    automatic = {*REGISTRY, *STRUCTURAL, *spec.blocks, "b", ""}  # "b": branches b1, b2; "": repeat copies 1, 2
    arguments: dict[str, Hashable] = {}
    stack: list[Node] = list(spec.layers)
    while stack:
        node = stack.pop()
        if isinstance(node, LayerNode):
            arguments[node.path] = tuple(sorted(node.layer.arguments().items()))
        elif isinstance(node, GroupNode):
            stack.extend(node.children)
        else:
            stack.extend(node.branches)

    def stable(path: str) -> str:
        parts = []
        for part in path.split("/"):
            m = _NUMBERED.match(part)
            parts.append(m.group(1) + "#" if m and m.group(1) in automatic else part)
        return "/".join(parts)

    return [(row.type, arguments.get(row.name), stable(row.name)) for row in report.layers]
