"""Writes ``presets/parsed.json``: the data of every packaged preset as :func:`cnncalc.loader.parse_yaml` reads
it from the YAML, so that :func:`cnncalc.loader.preset` needs no YAML parser (PyYAML costs 20 ms of start-up).
The YAML files stay the source: each entry keeps the CRC-32 of the text it was read from, a preset whose text
differs is read from its YAML, and tests/test_presets.py fails while the file is not what this writes::

    python -m cnncalc.preset_data > src/cnncalc/presets/parsed.json
"""

from __future__ import annotations

import json
import sys
import zlib
from typing import Any

from .loader import parse_yaml, preset_names, preset_text


def _plain(value: Any, where: str) -> None:
    """Refuse what JSON would not give back as it is (a tuple, a key that is not a string, another type)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"{where}: the key {key!r} is not a string")
            _plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain(item, f"{where}[{i}]")
    elif type(value) not in (str, int, float, bool, type(None)):
        raise ValueError(f"{where}: {type(value).__name__} {value!r} has no JSON form")


def parsed_presets() -> str:
    """The file's text: ``{"presets": {name: {"crc32": …, "data": …}}}``, one preset per line."""
    lines = []
    for name in preset_names():
        text = preset_text(name)
        data, _ = parse_yaml(text, f"preset:{name}")
        _plain(data, name)
        entry = {"crc32": zlib.crc32(text.encode("utf-8")), "data": data}
        lines.append(f"{json.dumps(name)}: {json.dumps(entry, ensure_ascii=False, separators=(',', ':'))}")
    return '{"presets": {\n' + ",\n".join(lines) + "\n}}\n"


if __name__ == "__main__":
    sys.stdout.write(parsed_presets())
