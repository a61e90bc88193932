"""``cnncalc schema``: the spec language's JSON Schema, for editors and validators."""

from __future__ import annotations

import json

from ..schema import spec_schema
from .common import emit_text, guarded


@guarded
def schema_cmd() -> None:
    """Print the JSON Schema (draft 2020-12) of spec files, e.g. > cnncalc.schema.json for your editor."""
    emit_text(json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n")
