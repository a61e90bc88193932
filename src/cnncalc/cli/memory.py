"""``memory``: will the network fit? Inference peak and a training estimate, with their assumptions."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..analysis import analyze
from ..memory import OPTIMIZER_STATE, estimate
from .common import (
    FORMAT,
    BatchOpt,
    DType,
    DTypeOpt,
    InputOpt,
    SpecArg,
    emit,
    format_choices,
    guarded,
    parse_shape,
    spec_arg,
)

Optimizer = Enum("Optimizer", {name: name for name in OPTIMIZER_STATE}, type=str)  # type: ignore[misc]


MemoryFormat = Enum("MemoryFormat", format_choices("memory"), type=str)  # type: ignore[misc]


@guarded
def memory_cmd(
    spec: SpecArg,
    input_: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DTypeOpt = DType.float32,  # type: ignore[attr-defined]
    optimizer: Annotated[
        Optimizer, typer.Option("--optimizer", help="Optimizer state kept per trainable parameter.")
    ] = Optimizer.adam,  # type: ignore[attr-defined]
    fmt: Annotated[MemoryFormat, FORMAT] = MemoryFormat.table,  # type: ignore[attr-defined]
) -> None:
    """Will it fit? Memory for inference and for training, with the assumptions behind the figures.

    Inference: parameters + the peak of live activations. Training: parameters, gradients, optimizer state
    and every layer's output stored for the batch.
    """
    shape = parse_shape(input_) if input_ is not None else None
    report = analyze(spec_arg(spec), input_shape=shape, batch=batch, dtype=dtype.value)
    emit("memory", fmt, estimate(report, optimizer.value), warnings=report.warnings)
