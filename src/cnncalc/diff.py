"""Compare two specs layer by layer: what was added, removed or changed, and how the totals moved.

Rows are matched by aligning the two execution orders, not by path equality: a layer inserted early
renumbers every later automatic name (``conv3`` → ``conv4``), and matching by path would report each of
those as changed. Each row gets a signature — its kind, its arguments, and its path with automatic
numbers removed (``stage1/basic2/conv1`` → ``stage1/basic#/conv#``) — and the rows of a longest common
subsequence of the two signature sequences are matched: the alignment with the fewest insertions and
removals, as ``diff`` aligns lines. Between two matches, the rows left over are paired by kind the same
way: a conv whose ``filters`` changed is one changed conv, and what is left was added or removed. So an
inserted layer reads as one insertion, plus the layers whose figures it really changes (the next conv's
input channels).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from enum import Enum

from .analysis import analyze
from .layers import REGISTRY
from .record import record
from .report import SCHEMA_VERSION, LayerResult, Report
from .spec import STRUCTURAL, GroupNode, LayerNode, Node, ParallelNode, Spec

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
MAX_CELLS = 250_000  # a changed stretch of 500 × 500 rows is still aligned exactly (under 0.1 s)


class Change(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@record
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


@record
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


@record
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
    figures = [*FIGURES]
    if before.totals.unknown_cost_rows or after.totals.unknown_cost_rows:  # MACs and FLOPs are lower bounds
        figures.append("unknown_cost_rows")
    totals = tuple(TotalChange(f, getattr(before.totals, f), getattr(after.totals, f)) for f in figures)
    return Diff(before, after, tuple(changes), unchanged, totals)


def align(
    old: Sequence[Hashable], new: Sequence[Hashable], before: Report, after: Report
) -> list[tuple[int | None, int | None]]:
    """Pairs of row indexes (old, new) in order; ``None`` on one side is an insertion or a removal.

    Rows with equal signatures are matched along a longest common subsequence; the rows left between two
    matches are paired by kind the same way, and what remains was added or removed.
    """
    pairs: list[tuple[int | None, int | None]] = []
    gap_old: list[int] = []
    gap_new: list[int] = []

    def close_gap() -> None:
        kinds = _matches([before.layers[i].type for i in gap_old], [after.layers[j].type for j in gap_new])
        for a, b in _with_gaps(kinds, len(gap_old), len(gap_new)):
            pairs.append((None if a is None else gap_old[a], None if b is None else gap_new[b]))
        gap_old.clear()
        gap_new.clear()

    for i, j in _with_gaps(_matches(old, new), len(old), len(new)):
        if i is not None and j is not None:
            close_gap()
            pairs.append((i, j))
        elif i is not None:
            gap_old.append(i)
        elif j is not None:
            gap_new.append(j)
    close_gap()
    return pairs


def _with_gaps(matches: Sequence[tuple[int, int]], n: int, m: int) -> Iterator[tuple[int | None, int | None]]:
    """Every index of both sequences in order: the matched pairs, and the unmatched ones alone."""
    i = j = 0
    for a, b in [*matches, (n, m)]:
        yield from ((k, None) for k in range(i, a))
        yield from ((None, k) for k in range(j, b))
        if a < n:
            yield a, b
        i, j = a + 1, b + 1


def _matches(a: Sequence[Hashable], b: Sequence[Hashable], depth: int = 0) -> list[tuple[int, int]]:
    """Index pairs of a common subsequence of ``a`` and ``b``: a longest one (the fewest insertions and
    removals) wherever that is affordable, and near-linear time for long, mostly equal sequences.

    The common beginning and end are matched directly (a typical edit leaves most of a network alone).
    A middle of at most :data:`MAX_CELLS` cells is solved exactly by dynamic programming. A longer one is
    split, as patience diff does, at anchors — rows whose signature occurs exactly once on each side, in
    an order both sides agree on — and each stretch between anchors is matched the same way; a long
    stretch without anchors falls back to :func:`_resync` (linear, bounded).
    """
    n, m = len(a), len(b)
    lo = 0
    while lo < min(n, m) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < min(n, m) - lo and a[n - 1 - hi] == b[m - 1 - hi]:
        hi += 1
    middle = _middle(a[lo : n - hi], b[lo : m - hi], depth)
    return [
        *((k, k) for k in range(lo)),
        *((lo + i, lo + j) for i, j in middle),
        *((n - hi + k, m - hi + k) for k in range(hi)),
    ]


MAX_DEPTH = 32  # anchor levels before the linear fallback: each level splits its stretch at least once
RESYNC_WINDOW = 256  # rows looked ahead on each side for the next common stretch
RESYNC_CONFIRM = 4  # rows that must agree for a common stretch to count
RESYNC_RUN = 64  # rows of agreement compared between candidate points


def _middle(a: Sequence[Hashable], b: Sequence[Hashable], depth: int) -> list[tuple[int, int]]:
    n, m = len(a), len(b)
    if not n or not m:
        return []
    if n * m <= MAX_CELLS:
        return _lcs(a, b)
    common = set(a) & set(b)
    if not common:
        return []
    if depth < MAX_DEPTH:
        anchors = _anchors(a, b, common)
        if anchors:
            pairs: list[tuple[int, int]] = []
            i0 = j0 = 0
            for i, j in [*anchors, (n, m)]:
                pairs += [(i0 + x, j0 + y) for x, y in _matches(a[i0:i], b[j0:j], depth + 1)]
                if i < n:
                    pairs.append((i, j))
                i0, j0 = i + 1, j + 1
            return pairs
    return _resync(a, b)


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable], common: set[Hashable]) -> list[tuple[int, int]]:
    """Rows unique on both sides, reduced to the longest run in the same order on both (patience sorting)."""
    count_a: dict[Hashable, int] = {}
    for item in a:
        if item in common:
            count_a[item] = count_a.get(item, 0) + 1
    where_b: dict[Hashable, int] = {}
    count_b: dict[Hashable, int] = {}
    for j, item in enumerate(b):
        if count_a.get(item) == 1:
            count_b[item] = count_b.get(item, 0) + 1
            where_b[item] = j
    unique = [(i, where_b[item]) for i, item in enumerate(a) if count_a.get(item) == 1 and count_b.get(item) == 1]
    # longest increasing subsequence of the b positions, in O(k log k)
    tails: list[int] = []  # tails[k]: index into unique of the smallest tail of an increasing run of length k+1
    previous = [-1] * len(unique)
    for k, (_, j) in enumerate(unique):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if unique[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        previous[k] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(k)
        else:
            tails[lo] = k
    run = []
    k = tails[-1] if tails else -1
    while k >= 0:
        run.append(unique[k])
        k = previous[k]
    return run[::-1]


def _resync(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """The bounded fallback: walk both sequences matching equal rows; at a difference, resume at the nearest
    point within :data:`RESYNC_WINDOW` rows where :data:`RESYNC_CONFIRM` rows agree,
    or skip the window on both sides. Linear in the rows; exact when the differences are isolated and no
    two neighbouring rows are equal (inside a run of equal rows an edit's place is ambiguous to a bounded
    look-ahead: there the result is a common subsequence, possibly not a longest one)."""
    n, m = len(a), len(b)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
            continue
        ahead: dict[Hashable, list[int]] = {}
        for dj in range(min(RESYNC_WINDOW, m - j)):
            ahead.setdefault(b[j + dj], []).append(dj)
        # nearest first: fewest rows skipped on the longer side; among those, the longest agreement that
        # follows (in a periodic stretch — conv, relu, conv, relu — several points agree for a few rows, and
        # only the right one for long), then a replacement (as many on each side) before an insertion or a
        # removal, so that an edited row reads as one changed row
        best: tuple[int, int] | None = None
        best_key = (RESYNC_WINDOW, 0, RESYNC_WINDOW)
        for di in range(min(RESYNC_WINDOW, n - i)):
            if di > best_key[0]:
                break
            for dj in ahead.get(a[i + di], ()):
                if max(di, dj) > best_key[0]:
                    if dj > best_key[0]:
                        break
                    continue
                run = _agreement(a, b, i + di, j + dj)
                if run < min(RESYNC_CONFIRM, n - i - di, m - j - dj):
                    continue
                key = (max(di, dj), -run, abs(di - dj))
                if key < best_key:
                    best, best_key = (di, dj), key
        if best is None:
            i, j = i + min(RESYNC_WINDOW, n - i), j + min(RESYNC_WINDOW, m - j)
        else:
            i, j = i + best[0], j + best[1]
    return pairs


def _agreement(a: Sequence[Hashable], b: Sequence[Hashable], i: int, j: int) -> int:
    """How many rows agree from ``a[i]`` and ``b[j]`` on, up to :data:`RESYNC_RUN`."""
    run, limit = 0, min(RESYNC_RUN, len(a) - i, len(b) - j)
    while run < limit and a[i + run] == b[j + run]:
        run += 1
    return run


def _lcs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """A longest common subsequence by dynamic programming over ``len(a) · len(b)`` cells."""
    n, m = len(a), len(b)
    # longest[i][j]: the length of a longest common subsequence of a[i:] and b[j:]
    longest = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, item = longest[i], longest[i + 1], a[i]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if item == b[j] else max(below[j], row[j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
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
        elif isinstance(node, ParallelNode):
            stack.extend(node.branches)

    def stable(path: str) -> str:
        parts = []
        for part in path.split("/"):
            m = _NUMBERED.match(part)
            parts.append(m.group(1) + "#" if m and m.group(1) in automatic else part)
        return "/".join(parts)

    return [(row.type, arguments.get(row.name), stable(row.name)) for row in report.layers]
