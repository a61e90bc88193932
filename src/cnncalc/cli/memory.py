"""``memory``: will the network fit? Inference peak and a training estimate, with their assumptions."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..analysis import analyze
from ..memory import OPTIMIZER_STATE, estimate
from .common import emit, guarded, spec_arg
from .declare import SpecArg, with_options
from .options import Options

Optimizer = Enum("Optimizer", {name: name for name in OPTIMIZER_STATE}, type=str)  # type: ignore[misc]


@guarded
@with_options("memory", "input_", "batch", "dtype")
def memory_cmd(
    spec: SpecArg,
    optimizer: Annotated[
        Optimizer, typer.Option("--optimizer", help="Optimizer state kept per trainable parameter.")
    ] = Optimizer.adam,  # type: ignore[attr-defined]
    *,
    options: Options,
) -> None:
    """Will it fit? Memory for inference and for training, with the assumptions behind the figures.

    Inference: parameters + the peak of live activations. Training: parameters, gradients, optimizer state
    and every layer's output stored for the batch.
    """
    report = analyze(spec_arg(spec), input_shape=options.input_shape, batch=options.batch, dtype=options.dtype)
    emit("memory", options.fmt, estimate(report, optimizer.value), warnings=report.warnings)
