"""``import``: a spec from an ONNX, PyTorch, Caffe or Darknet model."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import emit_text, guarded
from .declare import InputOpt
from .options import parse_shape


class SourceFormat(str, Enum):
    onnx = "onnx"
    caffe = "caffe"
    darknet = "darknet"
    torch = "torch"


@guarded
def import_cmd(
    source: Annotated[
        str,
        typer.Argument(
            help="A model file (.onnx, .prototxt, .cfg), or module.path:factory with --from torch.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the spec to this file (default: standard output).", show_default=False
        ),
    ] = None,
    input_: InputOpt = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The spec's name (default: the model's).", show_default=False)
    ] = None,
    from_: Annotated[
        SourceFormat | None,
        typer.Option(
            "--from",
            help="The source format (default: from the file's extension, then its content).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    allow_unknown: Annotated[
        bool,
        typer.Option(
            "--allow-unknown", help="Import unsupported operations as opaque rows (shape kept, cost unknown)."
        ),
    ] = False,
) -> None:
    """Write a spec for a model made in another framework, with the names, structure and numbers of the source.

    Recurring modules become blocks, identical consecutive ones a repeat; the spec then works with every
    command, without the framework.
    """
    from ..importers import import_model

    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} exists; cnncalc does not overwrite files", "add --force to replace it")
    shape = parse_shape(input_) if input_ is not None else None
    result = import_model(source, from_.value if from_ else None, shape, name, allow_unknown)
    for note in result.notes:
        sys.stderr.write(f"note: {note}\n")
    if output is None:
        emit_text(result.text)
        return
    try:
        output.write_text(result.text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
