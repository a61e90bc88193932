"""YAML text → plain data and a source map, for :mod:`cnncalc.loader` (which imports this module only when it
reads YAML text: PyYAML costs 20 ms of start-up, and a spec given as data or a packaged preset needs none).

YAML is read with the safe loader only (libyaml's C parser when present) into a node graph, which is
converted here rather than by PyYAML's constructor so that

* duplicate keys are errors (PyYAML keeps the last one silently);
* YAML 1.1 surprises are caught: ``yes``/``no``/``on``/``off`` and ``010`` (octal) and ``1:30``
  (base 60) become :class:`~cnncalc.args.AmbiguousScalar`, which every argument rejects with an
  explanation; ``1e-4`` (text in YAML 1.1) is read as the number YAML 1.2 and users mean;
* anchors and aliases work, but a shared node is converted once, so an alias bomb costs nothing;
* the node graph is composed from the parser's events without recursion, with limits on nesting and
  size checked where they are met; every value's position is found lazily (only when an error needs it).
"""

from __future__ import annotations

import contextlib
import gc
import re
from dataclasses import dataclass, replace
from typing import Any

import yaml

from .args import MAX_SIZE, AmbiguousScalar, show
from .errors import DataPath, Diagnostic, Location, SpecError
from .record import record

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64
MAX_NODES = 2_000_000

_TAG = "tag:yaml.org,2002:"
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks (str.splitlines knows more)
_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")
_YAML12_NUMBER = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


# ------------------------------------------------------------------------------------------- YAML


def parse_yaml(text: str, filename: str) -> tuple[Any, YamlSourceMap]:
    """YAML text → plain Python data and a source map of where each value was written."""
    lines = _LINE_BREAK.split(text)
    if not text.strip():
        raise SpecError(
            [Diagnostic("is empty", "a spec needs at least `name:`, `input:` and `layers:`", file=filename)]
        )
    # Composing allocates one container per YAML node and nothing here forms a reference cycle; CPython's
    # cyclic collector rescans the growing graph meanwhile (a 100,000-layer spec took 4 s instead of 1 s).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    loader = None
    try:
        data = _plain_data(text)
        if data is _UNUSUAL:
            loader = _Loader(text)  # PyYAML's pure-Python reader checks every character here
            data, source_map = _composed(loader, filename, lines, text)
        else:
            source_map = YamlSourceMap(filename, None, lines, text, {})
        # positions are looked up only for a diagnostic, which composes the graph again: the graph (about
        # 0.9 KB per layer, more than the layer's results) does not outlive the data built from it
        source_map.release()
    except yaml.MarkedYAMLError as exc:
        raise SpecError([_yaml_error(exc, filename, lines)]) from None
    except yaml.reader.ReaderError as exc:
        in_bytes = loader is not None and type(loader).__module__ == "yaml.cyaml"  # libyaml counts bytes
        raise SpecError([_character_error(exc, text, filename, lines, in_bytes)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(f"is not valid YAML: {exc}", file=filename)]) from None
    finally:
        if loader is not None:
            loader.dispose()
        if gc_was_enabled:
            gc.enable()
    return data, source_map


def source_map(filename: str, text: str) -> YamlSourceMap:
    """The source map of ``text``, composed on its first question (for data read without this module)."""
    return YamlSourceMap(filename, None, _LINE_BREAK.split(text), text, {})


def _composed(loader: Any, filename: str, lines: list[str], text: str) -> tuple[Any, YamlSourceMap]:
    """The data of any document, through its node graph (which then holds every value's position)."""
    composer = _Composer(loader, filename, lines)
    node = composer.document()
    source_map = YamlSourceMap(filename, node, lines, text, composer.uses)
    return _Converter(source_map).convert(node), source_map


def _yaml_error(exc: yaml.MarkedYAMLError, filename: str, lines: list[str]) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    hint = None
    line = lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""
    if "\t" in problem or (mark is not None and line[mark.column : mark.column + 1] == "\t"):
        hint = "YAML does not allow tabs for indentation: indent with spaces"
    elif "expected key" in problem or "expected <block end>" in problem:
        hint = "check this line's indentation: the items of one list or mapping start in the same column"
    elif "nesting depth" in problem:  # libyaml's own limit (1000 levels), met while scanning ahead
        hint = f"flatten the structure; cnncalc reads at most {MAX_DEPTH} levels"
    elif exc.context:
        problem = (
            f"{problem} ({exc.context}" + (f" at line {exc.context_mark.line + 1}" if exc.context_mark else "") + ")"
        )
    location = None
    if mark is not None:
        row, column = mark.line, mark.column
        if row >= len(lines) or not lines[row].strip():  # met at the end of the text: point after the last value
            row = next((i for i in range(min(row, len(lines) - 1), -1, -1) if lines[i].strip()), row)
            column = len(lines[row].rstrip()) if row < len(lines) else column
        location = _location(filename, lines, row, column)
    return Diagnostic(f"invalid YAML: {problem}", hint, location=location, file=filename)


def _character_error(
    exc: yaml.reader.ReaderError, text: str, filename: str, lines: list[str], bytes_offset: bool
) -> Diagnostic:
    """A character YAML does not allow (a control character, say) with its line and column; libyaml
    counts its position in UTF-8 bytes, PyYAML's reader in characters."""
    before = text.encode()[: exc.position].decode(errors="ignore") if bytes_offset else text[: exc.position]
    row = len(_LINE_BREAK.findall(before))
    column = len(before) - (before.rfind("\n") + 1) if row else len(before)
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Diagnostic(
        f"invalid YAML: the character U+{code:04X} is not allowed ({exc.reason})",
        "remove it: control characters often come from text copied out of a PDF or a word processor",
        location=_location(filename, lines, row, column),
        file=filename,
    )


def _location(filename: str, lines: list[str], line: int, column: int, end_column: int | None = None) -> Location:
    """A 0-based line and column → a 1-based :class:`Location` with the text of that line."""
    text = lines[line] if 0 <= line < len(lines) else None
    return Location(filename, line + 1, column + 1, text, end_column)


_UNUSUAL = object()
"""What :func:`_plain_data` returns for a document it leaves to the composer."""


class _Unusual(Exception):
    pass


def _plain_data(text: str) -> Any:
    """The data of a document without anchors, aliases, merge keys or tags, read straight from the parser's
    events, or :data:`_UNUSUAL` for any other document — and for every document the composer would refuse.

    Most specs are plain lists and mappings of plain values: building the node graph for them (every
    value with its position) and converting it took two thirds of the reading, and positions are only
    wanted for an error, when :class:`YamlSourceMap` composes the graph again. Anything this does not
    handle exactly as :class:`_Composer` and :class:`_Converter` do is handed back to them: the data is
    the same either way, and so is every error.
    """
    loader = _Loader(text)
    try:
        return _PlainReader(loader).document()
    except (_Unusual, yaml.YAMLError):
        return _UNUSUAL
    finally:
        loader.dispose()


_NO_KEY = object()  # an open mapping waits for a key, not a value


class _PlainReader:
    """:func:`_plain_data`'s event loop: what :meth:`_Composer.root` and :meth:`_Converter.convert` do for
    plain values, with the same limits, raising :class:`_Unusual` where either would do anything else."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        # (text, plain) → value: each distinct scalar typed once and its value shared, as the converter does
        self.scalars: dict[tuple[str, bool], object] = {}

    def document(self) -> Any:
        get = self.loader.get_event
        get()  # stream start
        if type(get()) is not yaml.DocumentStartEvent:
            raise _Unusual
        data = self.root()
        get()  # the document's end
        if type(get()) is not yaml.StreamEndEvent:
            raise _Unusual
        return data

    def scalar(self, text: str, plain: bool) -> object:
        key = (text, plain)
        value = self.scalars.get(key, _NO_KEY)
        if value is _NO_KEY:
            tag = self.loader.resolve(yaml.ScalarNode, text, (True, False)) if plain else _TAG + "str"
            if tag == _TAG + "merge":
                raise _Unusual
            try:
                value = self.scalars[key] = _typed_scalar(tag, text, plain)
            except (SpecError, ValueError, KeyError, TypeError, OverflowError, IndexError):
                raise _Unusual from None
        return value

    def root(self) -> Any:
        get = self.loader.get_event
        stack: list[Any] = []  # the open lists and dicts
        keys: list[Any] = []  # per open container: a mapping key waiting for its value, or _NO_KEY
        count = 0
        while True:
            event = get()
            kind = type(event)
            if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                value = stack.pop()
                keys.pop()
            elif event.anchor is not None or kind is yaml.AliasEvent or event.tag is not None:
                raise _Unusual
            else:
                count += 1
                if count > MAX_NODES:
                    raise _Unusual
                if kind is yaml.ScalarEvent:
                    value = self.scalar(event.value, bool(event.implicit[0]))
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise _Unusual
                    stack.append([] if kind is yaml.SequenceStartEvent else {})
                    keys.append(_NO_KEY)
                    continue
            if not stack:
                return value
            parent = stack[-1]
            if type(parent) is list:
                parent.append(value)
            elif keys[-1] is not _NO_KEY:
                parent[keys[-1]] = value
                keys[-1] = _NO_KEY
            elif kind is not yaml.ScalarEvent or not _plain_key(value) or value in parent:
                raise _Unusual  # a container or unusual key, or a duplicate
            else:
                keys[-1] = value


def _plain_key(value: object) -> bool:
    """Whether :meth:`_Converter.mapping` takes ``value`` as a key."""
    return value is None or isinstance(value, (str, int, float, bool))


_SCALAR, _SEQUENCE, _MAPPING = 0, 1, 2


@dataclass(slots=True, eq=False)
class _Node:
    """One composed YAML node with its position (0-based); a lighter PyYAML node that keeps no marks."""

    kind: int  # _SCALAR, _SEQUENCE or _MAPPING
    tag: str
    value: Any  # text; list of nodes; list of (key, value) node pairs
    plain: bool  # a scalar written without quotes (only those are numbers, booleans or null)
    line: int
    column: int
    end_line: int = -1
    end_column: int = -1
    height: int = 0  # container levels inside this node, aliases followed
    anchor: str | None = None  # the name of its anchor (&name), if it has one


@record
class _Use:
    """Where an alias (``*name``, or ``<<: *name``: ``merge``) repeats an anchored node (0-based)."""

    anchor: str
    merge: bool
    line: int
    column: int
    end_line: int
    end_column: int


class _Composer:
    """Builds the node graph from the parser's event stream, iteratively.

    PyYAML's composers recurse once per nesting level (the C one in C, where no RecursionError protects
    the stack), so depth is checked here, before anything recurses: more than ``MAX_DEPTH`` levels —
    counting the levels an alias brings in — or more than ``MAX_NODES`` nodes are refused where they
    occur. An alias is the node it names, not a copy, so an alias bomb stays as small as its text.
    """

    def __init__(self, loader: Any, filename: str, lines: list[str]) -> None:
        self.loader = loader
        self.filename = filename
        self.lines = lines
        self.anchors: dict[str, _Node] = {}
        self.open_anchored: set[int] = set()  # anchored containers not yet closed: aliases to them recurse
        # (id of a container, index of an item or key-value pair) → the alias written there: an error found in
        # an anchored value is pointed at the use it was reached through, with a note naming the anchor
        self.uses: dict[tuple[int, int], _Use] = {}
        self.resolved: dict[str, str] = {}  # plain scalar → tag: PyYAML's resolver is slow, specs repeat values
        # the parser makes a new object for every scalar's text and every line number; a spec repeats both
        # (keys, values, several nodes per line), and one shared object each halves the graph's memory
        self.texts: dict[str, str] = {}
        self.numbers: dict[int, int] = {}
        self.count = 0

    def fail(self, mark: Any, message: str, hint: str | None = None) -> SpecError:
        loc = _location(self.filename, self.lines, mark.line, mark.column)
        return SpecError([Diagnostic(message, hint, location=loc, file=self.filename)])

    def document(self) -> _Node:
        get = self.loader.get_event
        get()  # stream start
        if isinstance(get(), yaml.StreamEndEvent):  # else: the document's start
            raise SpecError([Diagnostic("has no YAML document (only comments?)", file=self.filename)])
        root = self.root()
        get()  # the document's end
        extra = get()
        if not isinstance(extra, yaml.StreamEndEvent):
            raise self.fail(
                extra.start_mark,
                "contains more than one YAML document",
                "keep one spec per file (remove the `---` line)",
            )
        return root

    def root(self) -> _Node:
        """The document's node graph, from its first event up to (not including) its end event."""
        get = self.loader.get_event
        stack: list[_Node] = []
        keys: list[_Node | None] = []  # per open container: a mapping key waiting for its value
        while True:
            event = get()
            kind = type(event)
            if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node = stack.pop()
                keys.pop()
                end = event.end_mark
                node.end_line, node.end_column = self.numbers.setdefault(end.line, end.line), end.column
                self.open_anchored.discard(id(node))
            else:
                node = self.node(event, kind, len(stack))
                if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                    stack.append(node)
                    keys.append(None)
                    continue
            if not stack:
                return node
            parent = stack[-1]
            parent.height = max(parent.height, node.height + 1)
            if parent.kind == _SEQUENCE:
                if kind is yaml.AliasEvent:
                    self.use(event, node, parent, None)
                parent.value.append(node)
            elif keys[-1] is None:
                keys[-1] = node
            else:
                if kind is yaml.AliasEvent:
                    self.use(event, node, parent, keys[-1])
                parent.value.append((keys[-1], node))
                keys[-1] = None

    def use(self, event: Any, target: _Node, parent: _Node, key: _Node | None) -> None:
        """Record the alias ``event`` about to be appended to ``parent`` (the value of ``key`` in a mapping);
        a merge's use spans ``<<: *name``."""
        merge = key is not None and key.tag == _TAG + "merge"
        start, end = event.start_mark, event.end_mark
        line, column = (key.line, key.column) if merge and key is not None else (start.line, start.column)
        self.uses[(id(parent), len(parent.value))] = _Use(event.anchor, merge, line, column, end.line, end.column)

    def node(self, event: Any, kind: type, depth: int) -> _Node:
        """The node a scalar, alias or container-start event at ``depth`` stands for."""
        mark = event.start_mark
        if kind is yaml.AliasEvent:
            return self.alias(event.anchor, mark, depth)
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                mark, f"the document has more than {MAX_NODES:,} values", "a spec this large is not supported"
            )
        tag = event.tag
        if kind is yaml.ScalarEvent:
            value, plain = self.texts.setdefault(event.value, event.value), bool(event.implicit[0])
            if tag is None or tag == "!":
                tag = self.resolve(value) if plain else _TAG + "str"
            end, numbers = event.end_mark, self.numbers
            line, end_line = numbers.setdefault(mark.line, mark.line), numbers.setdefault(end.line, end.line)
            node = _Node(_SCALAR, tag, value, plain, line, mark.column, end_line, end.column)
        else:
            if depth >= MAX_DEPTH:
                raise self.fail(mark, f"the document nests more than {MAX_DEPTH} levels deep", "flatten the structure")
            container = _SEQUENCE if kind is yaml.SequenceStartEvent else _MAPPING
            if tag is None or tag == "!":
                tag = _TAG + ("seq" if container == _SEQUENCE else "map")
            node = _Node(container, tag, [], False, self.numbers.setdefault(mark.line, mark.line), mark.column)
            if event.anchor is not None:
                self.open_anchored.add(id(node))
        if event.anchor is not None:
            node.anchor = event.anchor
            self.anchors[event.anchor] = node  # a repeated anchor names the latest node, as YAML says
        return node

    def alias(self, anchor: str, mark: Any, depth: int) -> _Node:
        target = self.anchors.get(anchor)
        if target is None:
            raise self.fail(mark, f"the alias *{anchor} names no anchor", f"define &{anchor} on a value before it")
        if id(target) in self.open_anchored:
            raise self.fail(
                mark,
                f"the alias *{anchor} is inside the value it names (a recursive structure)",
                "an alias can only repeat a value that ends before it",
            )
        if depth + target.height > MAX_DEPTH:
            raise self.fail(
                mark,
                f"the document nests more than {MAX_DEPTH} levels deep (through *{anchor})",
                "flatten the structure",
            )
        return target

    def resolve(self, value: str) -> str:
        tag = self.resolved.get(value)
        if tag is None:
            tag = self.resolved[value] = self.loader.resolve(yaml.ScalarNode, value, (True, False))
        return tag


# a mapping's own keys (key → key node, value node, pair index) and the mappings it merges, each with the
# (container id, index) of the item that names it
_Keys = tuple[dict[object, tuple[_Node, _Node, int]], list[tuple[tuple[int, int], _Node]]]


class YamlSourceMap:
    """Finds the position of a data path in the composed node graph, on demand.

    Once the spec is built, :meth:`release` lets the node graph go (about half of what a large spec's
    report keeps alive) and keeps the text: the rare error found later (in the analysis) composes the
    graph again.
    """

    def __init__(
        self, file: str, root: _Node | None, lines: list[str], text: str, uses: dict[tuple[int, int], _Use]
    ) -> None:
        self.file: str | None = file
        self._root: _Node | None = root
        self._uses = uses
        self._lines: list[str] | None = lines
        self._text = text
        # per mapping node (by id), its keys indexed on first use: locating N entries of one mapping is
        # then O(N), not O(N²) (a `checks.layers` with 20,000 entries took a minute)
        self._index: dict[int, _Keys] = {}

    def release(self) -> None:
        self._root = self._lines = None
        self._index.clear()  # keyed by the ids of the released nodes
        self._uses = {}

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self._text)
        return self._lines

    @property
    def root(self) -> _Node:
        if self._root is None:
            loader = _Loader(self._text)
            try:
                composer = _Composer(loader, self.file or "", self.lines)
                self._root = composer.document()
                self._uses = composer.uses
            finally:
                loader.dispose()
        return self._root

    def node_at(self, path: DataPath, key: bool = False) -> _Node:
        return self._walk(path, key)[0]

    def _walk(self, path: DataPath, key: bool) -> tuple[_Node, list[_Use]]:
        """The node at ``path`` (or the deepest one found on the way) and the aliases the way went through."""
        node = self.root
        steps: list[tuple[int, int]] = []  # (container id, index of the item or pair) of each step taken
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if node.kind == _MAPPING:
                found = self._find(node, part, steps)
                if found is None:
                    break
                knode, vnode = found
                node = knode if (key and last) else vnode
            elif node.kind == _SEQUENCE and isinstance(part, int) and 0 <= part < len(node.value):
                steps.append((id(node), part))
                node = node.value[part]
            else:
                break
        return node, [use for use in map(self._uses.get, steps) if use is not None]

    def _keys(self, node: _Node) -> _Keys:
        """The mapping's own keys (the first of each, as written: key node, value node, pair index) and the
        mappings it merges (``<<``), each with the (container id, index) where it is named."""
        index = self._index.get(id(node))
        if index is None:
            keys: dict[object, tuple[_Node, _Node, int]] = {}
            merged: list[tuple[tuple[int, int], _Node]] = []
            for i, (knode, vnode) in enumerate(node.value):
                if knode.tag == _TAG + "merge":
                    if vnode.kind == _SEQUENCE:
                        merged.extend(((id(vnode), j), m) for j, m in enumerate(vnode.value))
                    else:
                        merged.append(((id(node), i), vnode))
                elif knode.kind == _SCALAR:
                    with contextlib.suppress(TypeError):  # an unhashable key is never looked up
                        keys.setdefault(_key_value(knode), (knode, vnode, i))
            index = self._index[id(node)] = (keys, merged)
        return index

    def _find(
        self, node: _Node, part: object, steps: list[tuple[int, int]], depth: int = 0
    ) -> tuple[_Node, _Node] | None:
        """The key and value nodes of ``part`` in the mapping ``node`` or in what it merges; the steps there
        are appended to ``steps``."""
        keys, merged = self._keys(node)
        try:
            found = keys.get(part)
        except TypeError:  # an unhashable path part names no key
            found = None
        if found is not None:
            knode, vnode, i = found
            steps.append((id(node), i))
            return knode, vnode
        for step, m in merged:
            if m.kind == _MAPPING and depth < MAX_DEPTH:
                inner: list[tuple[int, int]] = [step]
                pair = self._find(m, part, inner, depth + 1)
                if pair is not None:
                    steps.extend(inner)
                    return pair
        return None

    def locate(self, path: DataPath, key: bool = False) -> Location | None:
        """Where the value at ``path`` is written; a value reached through an alias or a merge key (``<<``)
        is located at that use, with a note naming the anchor and where the value itself is written."""
        node, uses = self._walk(path, key)
        one_line = node.end_line == node.line and node.kind == _SCALAR
        end = node.end_column + 1 if one_line else None
        written = _location(self.file or "", self.lines, node.line, node.column, end)
        if not uses:
            return written
        use = uses[0]
        what = f"`{path[-1]}`" if path and isinstance(path[-1], str) else "the value"
        through = ", through ".join(
            f"the anchor &{u.anchor} (merged here by `<<: *{u.anchor}`)" if u.merge else f"the anchor &{u.anchor}"
            for u in reversed(uses)
        )
        note = f"{what} comes from {through}, written at line {written.line}, column {written.column}"
        end = use.end_column + 1 if use.end_line == use.line else None
        return replace(_location(self.file or "", self.lines, use.line, use.column, end), notes=(note,))


def _key_value(node: _Node) -> object:
    try:
        return _scalar(node)
    except SpecError:
        return node.value


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")


# Python refuses to convert ints of more than 4,300 decimal digits; numbers this long (hex ones count their
# decimal length) are refused here, with the limit every size has. Shorter ones reach the usual checks.
_MAX_DIGITS = 4000
_DIGITS = re.compile(r"[0-9a-fA-F]")


def _scalar(node: _Node) -> object:
    try:
        return _typed_scalar(node.tag, node.value, node.plain)
    except (ValueError, KeyError, TypeError, OverflowError, IndexError):
        short = node.tag.removeprefix(_TAG)
        raise SpecError(
            [Diagnostic(f"{show(node.value)} is not a valid !!{short}", f"remove the !!{short} tag or fix the value")]
        ) from None


def _typed_scalar(tag: str, raw: str, plain: bool) -> object:
    written = len(_DIGITS.findall(raw)) if tag in (_TAG + "int", _TAG + "float") else 0
    if written > _MAX_DIGITS * 3 // 4:  # 0x and 3,000 hex digits: 3,612 decimal ones
        written = len(_DIGITS.findall(re.sub(r"^[-+]?0[xo]", "", raw)))
        base = {"0x": 1.21, "0o": 0.91}.get(raw.lstrip("+-")[:2], 1.0)  # decimal digits per digit written
        if written * base > _MAX_DIGITS:
            raise SpecError(
                [
                    Diagnostic(
                        f"{raw[:12]}… ({written:,} digits) is too large: sizes are at most {MAX_SIZE:,} (2³¹ − 1)",
                        "write a smaller number",
                    )
                ]
            )
    if tag == _TAG + "str":
        if plain and _YAML12_NUMBER.match(raw):
            return float(raw)  # 1e-4: text in YAML 1.1, a number in YAML 1.2 and to every reader
        return raw
    if tag == _TAG + "int" and _DECIMAL.match(raw):
        return int(raw)
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        truth = _CONSTRUCTOR.construct_yaml_bool(yaml.ScalarNode(tag, raw))
        return AmbiguousScalar(
            raw, truth, f"YAML 1.1 (PyYAML) reads it as {'true' if truth else 'false'}, YAML 1.2 as text"
        )
    if tag in (_TAG + "int", _TAG + "float") and plain and _YAML11_ONLY.search(raw) and not _GROUPED.match(raw):
        value = _construct(tag, raw)
        return AmbiguousScalar(
            raw, value, f"YAML 1.1 (PyYAML) reads it as the number {value}, YAML 1.2 as text", f"write {value}"
        )
    if tag == _TAG + "int":
        value = _construct(tag, raw)
        if ":" in raw:
            return AmbiguousScalar(
                raw, value, f"YAML 1.1 reads it as the base-60 number {value}", "quote it, or write a plain number"
            )
        if _OCTAL.match(raw):
            return AmbiguousScalar(
                raw,
                value,
                f"YAML 1.1 (PyYAML) reads it as octal {value}, YAML 1.2 as decimal {int(raw.replace('_', ''), 10)}",
                "write the number without the leading 0",
            )
        return value
    if tag == _TAG + "float":
        return _construct(tag, raw)
    if tag == _TAG + "timestamp":
        return raw
    raise SpecError([Diagnostic(f"unsupported YAML tag {tag}", "remove the tag; specs use plain YAML values")])


# 4_, 0.1_0, 0b11: numbers to PyYAML only. Digits grouped as Python groups them (6_998_552) stay numbers:
# the checks document them, and no reader could mean anything else.
_YAML11_ONLY = re.compile(r"_|^[-+]?0b")
_GROUPED = re.compile(r"[-+]?[1-9][0-9]*(_[0-9]+)*\Z")


def _construct(tag: str, raw: str) -> object:
    if tag == _TAG + "int":
        return _CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode(tag, raw))
    return _CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(tag, raw))


class _Converter:
    """Node graph → plain data. Recursion is bounded by the composer's depth check; a node that an alias
    repeats is converted once and shared (a merge key copies its entries into each mapping)."""

    def __init__(self, source_map: YamlSourceMap) -> None:
        self.src = source_map
        self.shared: dict[int, Any] = {}
        # a spec repeats its scalars (16, 3, relu, …): each distinct one is typed once, and its (immutable)
        # value shared
        self.scalars: dict[tuple[str, str, bool], object] = {}

    def fail(self, node: _Node, message: str, hint: str | None = None) -> SpecError:
        one_line = node.kind == _SCALAR and node.end_line == node.line
        loc = _location(
            self.src.file or "", self.src.lines, node.line, node.column, node.end_column + 1 if one_line else None
        )
        return SpecError([Diagnostic(message, hint, location=loc, file=self.src.file)])

    def convert(self, node: _Node) -> Any:
        if node.anchor is not None and id(node) in self.shared:
            return self.shared[id(node)]
        if node.kind == _SCALAR:
            key = (node.tag, node.value, node.plain)
            value = self.scalars.get(key, self)  # self: not typed yet (None is a value)
            if value is self:
                try:
                    value = self.scalars[key] = _scalar(node)
                except SpecError as exc:
                    raise self.fail(node, exc.diagnostics[0].message, exc.diagnostics[0].hint) from None
        elif node.tag != _TAG + ("seq" if node.kind == _SEQUENCE else "map"):
            raise self.fail(node, f"unsupported YAML tag {node.tag}", "remove the tag; specs use plain YAML values")
        elif node.kind == _SEQUENCE:
            value = [self.convert(child) for child in node.value]
        else:
            value = self.mapping(node)
        if node.anchor is not None:
            self.shared[id(node)] = value
        return value

    def mapping(self, node: _Node) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        seen: dict[Any, _Node] = {}
        merges: list[_Node] = []
        for knode, vnode in node.value:
            if knode.tag == _TAG + "merge":
                merges.extend(vnode.value if vnode.kind == _SEQUENCE else [vnode])
                continue
            if knode.kind != _SCALAR:
                raise self.fail(knode, "a mapping key must be a plain name, not a list or mapping")
            key = self.convert(knode)
            if isinstance(key, AmbiguousScalar):
                raise self.fail(knode, f"the key {key.raw} is ambiguous: {key.reason}", "quote the key")
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise self.fail(knode, "a mapping key must be a plain name")
            if key in seen:
                first = seen[key].line + 1
                raise self.fail(knode, f"duplicate key {key!r} (first at line {first})", "remove or rename one of them")
            seen[key] = knode
            mapping[key] = self.convert(vnode)
        for merged in merges:
            if merged.kind != _MAPPING:
                raise self.fail(merged, "a merge key (<<) must refer to a mapping")
            for key, value in self.convert(merged).items():
                mapping.setdefault(key, value)
        return mapping
