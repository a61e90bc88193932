"""Memory estimates: the inference peak of live activations, and what training needs.

**Peak activations (inference).** One forward pass runs the report's rows (layers and merges) in
execution order. The liveness model:

* the network input is alive from the start;
* a row allocates its output when it runs, while its inputs are still alive;
* a tensor is freed as soon as the last row that reads it has run: a branch point's tensor stays alive
  until its last branch has read it — an identity branch reads it at the merge — and each branch's
  output stays alive until the merge;
* a tensor that no row reads is an output of the network and stays alive to the end;
* nothing runs in place (a ReLU writes a new tensor) and no temporary workspace is counted.

``peak = max over rows of Σ sizes of the tensors alive while the row runs`` (elements × batch); a sum of
all activations overstates it, because a chain frees each tensor after the next layer has read it.

**Training.** Parameters, one gradient per trainable parameter, the optimizer's state per trainable
parameter (:data:`OPTIMIZER_STATE`) and every row's output stored for the backward pass, for the whole
batch, plus the input batch — all in one dtype. :func:`training_memory` lists these assumptions with the
figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .record import record
from .report import DTYPES, LayerResult, Report

INPUT = "input"
LIVENESS = (
    "the largest total size of the tensors alive at once in one forward pass, in execution order: a tensor "
    "lives from the layer that computes it until the last layer that reads it has run (a branch point's "
    "tensor until its merge, the input until its last reader, the network's outputs to the end); nothing "
    "runs in place and no workspace is counted."
)

OPTIMIZER_STATE: dict[str, tuple[int, str]] = {
    "sgd": (0, "sgd (plain SGD) keeps no state"),
    "momentum": (1, "momentum (SGD with momentum) keeps one velocity per trainable parameter"),
    "adam": (2, "adam keeps two moments (exp_avg, exp_avg_sq) per trainable parameter"),
}


@record
class Peak:
    elements: int  # for the whole batch
    layer: str  # the row running when the peak is first reached ("input" for a network without rows)


def peak_activations(input_elements: int, rows: Sequence[LayerResult]) -> Peak:
    """The largest total size of tensors alive at once (see the module docstring), in O(rows)."""
    sizes = {row.name: row.activations for row in rows}
    sizes[INPUT] = input_elements
    # a tensor is freed after the row that reads it last: found walking backwards, summed per row (a list of
    # ints, not a list of names per row: this ran at the end of every analysis, at its peak of memory)
    # (a tensor already read later is marked -1 in ``sizes``, rather than kept in a set of names: 4 MB at
    # 100,000 rows)
    freed_after = [0] * len(rows)
    for i in range(len(rows) - 1, -1, -1):
        for producer in rows[i].inputs:
            size = sizes[producer]
            if size >= 0:
                sizes[producer] = -1
                freed_after[i] += size
    del sizes
    alive = input_elements
    best = Peak(input_elements, INPUT)
    for i, row in enumerate(rows):
        alive += row.activations
        if alive > best.elements:
            best = Peak(alive, row.name)
        alive -= freed_after[i]
    return best


@record
class TrainingMemory:
    """Bytes needed to train: every figure for the report's batch and dtype."""

    optimizer: str
    parameters: int  # learnable and non-trainable
    gradients: int
    optimizer_state: int
    activations: int  # every row's output, stored for the backward pass
    input: int
    assumptions: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer_state + self.activations + self.input

    def to_dict(self) -> dict[str, object]:
        return {
            "optimizer": self.optimizer,
            "parameter_bytes": self.parameters,
            "gradient_bytes": self.gradients,
            "optimizer_state_bytes": self.optimizer_state,
            "activation_bytes": self.activations,
            "input_bytes": self.input,
            "total_bytes": self.total,
            "assumptions": list(self.assumptions),
        }


def training_memory(report: Report, optimizer: str) -> TrainingMemory:
    """Parameters + gradients + optimizer state + stored activations + input, in the report's dtype."""
    state, state_text = OPTIMIZER_STATE[optimizer]
    size = DTYPES[report.dtype]
    t = report.totals
    input_values = math.prod(report.input_shape) * report.batch
    assumptions = (
        f"every tensor is stored as {report.dtype} ({size} byte{'s' if size > 1 else ''} per value); mixed-precision "
        "training, which keeps float32 master weights and optimizer state, is not modelled",
        "one gradient per trainable parameter; BatchNorm's running statistics have none",
        state_text,
        f"every layer's output is stored for the backward pass, for the whole batch of {report.batch} "
        "(no in-place operations, no activation checkpointing), and so is the input batch",
        "not included: the framework's workspace (e.g. cuDNN), temporary buffers of the backward pass, "
        "the CUDA context and allocator fragmentation",
    )
    return TrainingMemory(
        optimizer=optimizer,
        parameters=t.param_bytes,
        gradients=t.params * size,
        optimizer_state=state * t.params * size,
        activations=t.activation_bytes,
        input=input_values * size,
        assumptions=assumptions,
    )


@record
class MemoryEstimate:
    """Inference (parameters + peak activations) and training memory of one report."""

    report: Report
    training: TrainingMemory

    @property
    def inference(self) -> int:
        t = self.report.totals
        return t.param_bytes + t.peak_activation_bytes

    def to_dict(self) -> dict[str, object]:
        r, t = self.report, self.report.totals
        return {
            "name": r.name,
            "input_shape": list(r.input_shape),
            "batch": r.batch,
            "dtype": r.dtype,
            "inference": {
                "parameter_bytes": t.param_bytes,
                "peak_activation_bytes": t.peak_activation_bytes,
                "peak_activation_layer": t.peak_activation_layer,
                "total_bytes": self.inference,
            },
            "training": self.training.to_dict(),
        }


def estimate(report: Report, optimizer: str = "adam") -> MemoryEstimate:
    return MemoryEstimate(report, training_memory(report, optimizer))
