"""How many rows a spec expands to, counted before anything is expanded.

Blocks and repeats multiply: ten blocks that each use the previous one ten times are 10¹⁰ layers in a
dozen lines, and YAML aliases do the same to lists ("billion laughs"). The parser refuses a spec that
expands to more than its limit; this count finds out first, in time proportional to the text rather than
to the expansion — a list or block call that occurs many times is counted once (memoised) — so such a spec
is refused at once instead of after a million layers have been built.

The count is the parser's, exact for a valid spec: one per item (layer, block instance, parallel, repeat
or side output), one more per parallel for its merge, a repeat's layers once per copy; an item the parser rejects
counts as if it were valid, so for an invalid spec the count is an upper bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from .args import MAX_SIZE
from .errors import DataPath

_PARAM_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\Z")
_MAX_NESTING = 64  # deeper data (possible from Python, not from YAML) is left to the parser


class Block(Protocol):
    """What the count needs of a block definition (:class:`cnncalc.spec.BlockDef`)."""

    @property
    def params(self) -> tuple[str, ...]: ...
    @property
    def defaults(self) -> Mapping[str, object]: ...
    @property
    def layers(self) -> Sequence[object]: ...
    @property
    def path(self) -> DataPath: ...


class TooLarge(Exception):
    """The expansion passes the limit at ``path``: the item or repeat count that tips it over."""

    def __init__(self, path: DataPath, what: str) -> None:
        super().__init__(what)
        self.path = path
        self.what = what


Env = dict[str, object]


def check_expansion(layers: object, blocks: Mapping[str, Block], skip: set[str], limit: int) -> int:
    """The number of rows ``layers`` expands to; raises :class:`TooLarge` once it passes ``limit``.

    ``skip`` names blocks that are not expanded (those in a cycle).
    """
    return _Counter(blocks, skip, limit).sequence(layers, ("layers",), None, 0)


class _Counter:
    def __init__(self, blocks: Mapping[str, Block], skip: set[str], limit: int) -> None:
        self.blocks = blocks
        self.skip = skip
        self.limit = limit
        self.memo: dict[tuple[int, int], int] = {}  # (id of a list, id of the block arguments) → rows
        self.envs: dict[tuple[object, ...], Env] = {}  # one arguments dict per distinct call: stable ids
        self.active: set[str] = set()  # blocks being counted: a cycle the parser did not see counts 1

    def sequence(self, items: object, path: DataPath, env: Env | None, depth: int) -> int:
        if not isinstance(items, list) or depth > _MAX_NESTING:
            return 0
        key = (id(items), id(env))
        known = self.memo.get(key)
        if known is not None:
            return known
        total = 0
        for i, item in enumerate(items):
            total += self.item(item, (*path, i), env, depth)
            if total > self.limit:
                raise TooLarge((*path, i), self.describe(item))
        self.memo[key] = total
        return total

    def describe(self, item: object) -> str:
        kind = item if isinstance(item, str) else next(iter(item), None) if isinstance(item, dict) else None
        if isinstance(kind, str) and kind in self.blocks:
            return f"this use of block '{kind}'"
        return f"this {kind}" if isinstance(kind, str) else "this item"

    def item(self, item: object, path: DataPath, env: Env | None, depth: int) -> int:
        body: object
        if isinstance(item, str):
            kind, body = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            ((kind, body),) = item.items()
        else:
            return 1
        if body is None:
            body = {}
        if not isinstance(kind, str) or not isinstance(body, dict):
            return 1
        at = (*path, kind)
        if kind == "repeat":
            times = _count(_resolve(body.get("times"), env))
            rows = 1 + times * self.sequence(body.get("layers"), (*at, "layers"), env, depth + 1)
            if rows > self.limit:
                raise TooLarge((*at, "times"), f"repeating {times:,} times")
            return rows
        if kind == "side":
            return 1 + self.sequence(body.get("layers"), (*at, "layers"), env, depth + 1)
        if kind == "parallel":
            branches = body.get("branches")
            rows = 2  # the parallel and its merge
            for i, branch in enumerate(branches if isinstance(branches, list) else []):
                rows += self.sequence(branch, (*at, "branches", i), env, depth + 1)
                if rows > self.limit:
                    raise TooLarge((*at, "branches", i), "this branch")
            return rows
        block = self.blocks.get(kind)
        if block is None or kind in self.skip or kind in self.active:
            return 1
        self.active.add(kind)
        try:
            call = self.call_env(kind, block, body, env)
            rows = 1 + self.sequence(block.layers, (*block.path, "layers"), call, depth + 1)
        finally:
            self.active.discard(kind)
        return rows - 1 if bare_parallel(block.layers) is not None else rows  # the parallel is the instance

    def call_env(self, name: str, block: Block, body: Mapping[object, object], env: Env | None) -> Env:
        """The block's arguments for one call, the same dict for calls with the same arguments."""
        values = {p: _resolve(body[p], env) if p in body else block.defaults.get(p) for p in block.params}
        key = (name, *((p, _hashable(v)) for p, v in values.items()))
        return self.envs.setdefault(key, values)


def _resolve(value: object, env: Env | None) -> object:
    if isinstance(value, str) and env is not None:
        m = _PARAM_REF.match(value)
        if m is not None and m.group(1) in env:
            return env[m.group(1)]
    return value


def _count(value: object) -> int:
    """A repeat count as the parser will accept it, or 1 for one it will reject."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SIZE:
        return value
    return 1


def _hashable(value: object) -> object:
    return value if isinstance(value, (int, float, str, bool)) or value is None else ("id", id(value))


def bare_parallel(layers: Sequence[object]) -> dict[object, object] | None:
    """The body of a block's only layer when it is an unnamed parallel: that parallel *is* the instance
    (its branches and merge are named after the instance, and it is not a row or module of its own)."""
    only = layers[0] if len(layers) == 1 else None
    if isinstance(only, dict) and len(only) == 1:
        body = only.get("parallel")
        if isinstance(body, dict) and "name" not in body:
            return body
    return None
