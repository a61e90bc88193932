"""The spec language as a JSON Schema (draft 2020-12), generated from the definitions the parser uses.

Nothing here restates a rule by hand: layer kinds and aliases come from the registry, each argument's
schema from its :class:`~cnncalc.args.ArgType`, the keys of the top level, ``parallel``, ``repeat`` and
blocks from the parser's key tables in :mod:`cnncalc.spec`, and the ``checks:`` section from
:mod:`cnncalc.checks`. What this module adds is only how the pieces nest (a ``layers`` key holds a list of
layer items), so a key the parser learns without a place here fails :func:`spec_schema` loudly.

The schema accepts every spec cnncalc accepts; a few rules need the whole document (a block used as a
layer type must be defined under ``blocks``, names must be unique in their scope, shapes must fit), so
the schema is a little more lenient than the parser: it is for editors (completion, hover text, early
red squiggles), and ``cnncalc check`` remains the judge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .args import JSON, ArgInfo, Text
from .checks import CHECK_KEYS, LAYERS, LAYERS_DOC, SETTINGS, Dims
from .layers import ALIASES, REGISTRY, Layer
from .spec import (
    _IDENT,
    _PARAM_REF,
    BLOCK_KEYS,
    MAX_INPUT_RANK,
    MERGE,
    PARALLEL_KEYS,
    REPEAT_KEYS,
    REQUIRED,
    STRUCTURAL,
    TIMES,
    TOP_LEVEL,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _ecma(regex: re.Pattern[str]) -> str:
    """A Python pattern anchored with ``\\Z`` as an anchored JSON Schema (ECMA-262) pattern."""
    return "^" + regex.pattern.removesuffix(r"\Z") + "$"


def _ref(name: str) -> JSON:
    return {"$ref": f"#/$defs/{name}"}


PARAM = {"type": "string", "pattern": _ecma(_PARAM_REF), "description": "a block parameter's value: $name"}
# a layer's name: non-empty, no spaces, no `/` (it separates path components), not starting with `$`
NAME: JSON = {"type": "string", "pattern": r"^[^\s/$][^\s/]*$"}
IDENT: JSON = {"type": "string", "pattern": _ecma(_IDENT)}


def _inner_params(schema: JSON) -> JSON:
    """Let list items (at any depth) be ``$param`` references too: ``kernel: [$k, 1]``."""
    out = dict(schema)
    if out.get("type") == "array" and "items" in out:
        out["items"] = {"anyOf": [_inner_params(out["items"]), _ref("param")]}
    for key in ("oneOf", "anyOf"):
        if key in out:
            out[key] = [_inner_params(alt) for alt in out[key]]
    return out


def _or_param(schema: JSON, doc: str | None = None) -> JSON:
    """A value, or inside a block a ``$param`` standing for it (whole values and list items)."""
    out: JSON = {"anyOf": [_inner_params(schema), _ref("param")]}
    if doc is not None:
        out["description"] = doc
    return out


def _described(values: Mapping[str, JSON], docs: Mapping[str, str]) -> dict[str, JSON]:
    """The properties of a structural mapping: every key the parser takes, with its documentation."""
    return {key: {**values[key], "description": doc} for key, doc in docs.items()}


def _kind(cls: type[Layer]) -> JSON:
    props: dict[str, JSON] = {"name": _or_param(NAME, "the layer's name (default: its type and number, conv3)")}
    required = []
    for name, info, default in cls.arg_infos():
        doc = info.doc
        if not info.required:
            doc += f" (default {default_text(info, default)})"
        props[name] = _or_param(info.type.schema(), doc)
        if info.required:
            required.append(name)
    out: JSON = {
        "description": cls.summary,
        "type": "object" if required else ["object", "null"],
        "properties": props,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def default_text(info: ArgInfo, default: Any) -> str:
    """An optional argument's default as the docs and the schema state it: ``true``, ``0``, ``= kernel``."""
    if info.default_doc is not None:
        return info.default_doc
    if isinstance(default, bool):
        return "true" if default else "false"
    return "none" if default is None else str(default)


def _checks() -> JSON:
    expectations = {key: {**k.type.schema(), "description": k.doc} for key, k in CHECK_KEYS.items()}
    settings = {key: {**t.schema(), "description": doc} for key, (t, doc) in SETTINGS.items()}
    per_layer = {
        "type": "object",
        "description": LAYERS_DOC,
        "propertyNames": NAME,
        "additionalProperties": {"type": "object", "properties": expectations, "additionalProperties": False},
    }
    return {
        "type": ["object", "null"],
        "properties": {**expectations, **settings, LAYERS: per_layer},
        "additionalProperties": False,
    }


def spec_schema() -> JSON:
    """The JSON Schema of a cnncalc spec file."""
    layers: JSON = {"type": "array", "items": _ref("item")}
    nonempty = {**layers, "minItems": 1}
    bare = sorted(alias for alias, (cls, _) in ALIASES.items() if not any(i.required for _, i, _ in cls.arg_infos()))
    item_props = {alias: _ref(f"kind.{cls.kind}") for alias, (cls, _) in sorted(ALIASES.items())}
    item_props.update(parallel=_ref("parallel"), repeat=_ref("repeat"))
    defs: dict[str, JSON] = {
        "param": PARAM,
        "layers": layers,
        "item": {
            "description": "a layer: a bare type name (- relu) or one TYPE: {arguments} entry; "
            "a block defined under blocks is used the same way",
            "anyOf": [
                {"enum": bare},
                {
                    **IDENT,
                    "not": {"enum": sorted({*ALIASES, *STRUCTURAL})},  # a block name is never a layer type
                    "description": "a block without arguments",
                },
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": item_props,
                    "additionalProperties": _ref("block_instance"),
                },
            ],
        },
        "block_instance": {
            "description": "a block's arguments, by the block's parameter names",
            "type": ["object", "null"],
            "properties": {"name": _or_param(NAME, "the instance's name")},
        },
        "parallel": {
            "type": "object",
            "properties": _described(
                {
                    "name": _or_param(NAME),
                    "merge": _or_param(MERGE.schema()),
                    "branches": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"anyOf": [layers, {"type": "null"}]},
                    },
                },
                PARALLEL_KEYS,
            ),
            "required": [k for k in PARALLEL_KEYS if k != "name"],
            "additionalProperties": False,
        },
        "repeat": {
            "type": "object",
            "properties": _described(
                {"name": _or_param(NAME), "times": _or_param(TIMES.schema()), "layers": nonempty}, REPEAT_KEYS
            ),
            "required": [k for k in REPEAT_KEYS if k != "name"],
            "additionalProperties": False,
        },
        "block": {
            "type": "object",
            "properties": _described(
                {
                    "params": {
                        "anyOf": [
                            {"type": "array", "items": IDENT, "uniqueItems": True},
                            {"type": "object", "propertyNames": IDENT},
                        ]
                    },
                    "layers": nonempty,
                    "description": Text().schema(),
                },
                BLOCK_KEYS,
            ),
            "required": ["layers"],
            "additionalProperties": False,
        },
        "checks": _checks(),
    }
    for kind, cls in sorted(REGISTRY.items()):
        defs[f"kind.{kind}"] = _kind(cls)
    top: dict[str, JSON] = {
        "name": Text().schema(),
        "description": Text().schema(),
        "source": Text().schema(),
        "input": Dims(MAX_INPUT_RANK).schema(),
        "layers": nonempty,
        "blocks": {"type": "object", "propertyNames": IDENT, "additionalProperties": _ref("block")},
        "checks": _ref("checks"),
    }
    return {
        "$schema": DRAFT,
        "title": "cnncalc network spec",
        "description": "A convolutional network for cnncalc: name, input shape (channels first, no batch "
        "dimension) and layers; optional blocks and checks.",
        "type": "object",
        "properties": _described(top, TOP_LEVEL),
        "required": list(REQUIRED),
        "additionalProperties": False,
        "$defs": defs,
    }
