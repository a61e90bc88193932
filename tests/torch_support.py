"""Running `cnncalc export`'s PyTorch modules for the differential tests.

The tests that use this need torch (the `torch` extra). Without it they are skipped — unless the `CI`
environment variable is set, where a missing torch is an error, so CI always runs them.
"""

from __future__ import annotations

import importlib
import os
import types
from dataclasses import dataclass
from typing import Any

import pytest

import cnncalc
from cnncalc.export.pytorch import PyTorchExport, to_pytorch


def need(module: str) -> types.ModuleType:
    """Import an optional test dependency: skip without it, fail without it in CI."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is in the `torch` extra; CI installs it")


@dataclass(frozen=True)
class Measured:
    """What PyTorch reports for every cnncalc row of an exported network."""

    shapes: dict[str, tuple[int, ...]]  # row path → output shape without the batch dimension
    params: dict[str, int]  # row path → sum(p.numel()) of its module
    macs: dict[str, int]  # row path → FlopCounterMode's FLOPs / 2 inside its module
    total_params: int
    buffers: int  # BatchNorm running statistics (num_batches_tracked excluded)
    total_macs: int
    outputs: tuple[tuple[int, ...], ...]  # the shapes forward returns: main, then side outputs


def load_module(export: PyTorchExport) -> types.ModuleType:
    """Execute the exported text as a module (not as __main__, so its self-check does not run)."""
    module = types.ModuleType(f"cnncalc_export_{export.class_name}")
    exec(compile(export.text, f"<export of {export.report.name}>", "exec"), module.__dict__)
    return module


def build(export: PyTorchExport, device: str = "meta") -> Any:
    torch = need("torch")
    with torch.device(device):
        return getattr(load_module(export), export.class_name)().eval()


def measure(export: PyTorchExport, device: str = "meta", batch: int = 1) -> Measured:
    """Forward zeros through the exported module with a hook on every row's module, counting FLOPs."""
    torch = need("torch")
    from torch.utils.flop_counter import FlopCounterMode

    model = build(export, device)
    shapes: dict[str, tuple[int, ...]] = {}
    params: dict[str, int] = {}
    handles = []
    for path, name in export.module_names.items():
        sub = model.get_submodule(name)
        params[path] = sum(p.numel() for p in sub.parameters())

        def hook(_module: Any, _inputs: Any, output: Any, path: str = path) -> None:
            shapes[path] = tuple(output.shape[1:])

        handles.append(sub.register_forward_hook(hook))
    x = torch.zeros(batch, *export.report.input_shape, device=device)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        result = model(x)
    for handle in handles:
        handle.remove()
    counts = counter.get_flop_counts()
    prefix = type(model).__name__

    def flops_in(name: str) -> int:
        return sum(counts.get(f"{prefix}.{name}", {}).values())

    total = sum(counts.get("Global", {}).values())
    assert total % 2 == 0 and all(flops_in(n) % 2 == 0 for n in export.module_names.values())
    outputs = result if isinstance(result, tuple) else (result,)
    return Measured(
        shapes=shapes,
        params=params,
        macs={path: flops_in(name) // 2 for path, name in export.module_names.items()},
        total_params=sum(p.numel() for p in model.parameters()),
        buffers=sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")),
        total_macs=total // 2,
        outputs=tuple(tuple(o.shape[1:]) for o in outputs),
    )


def disagreements(spec: cnncalc.Spec, device: str = "meta", batch: int = 1) -> list[str]:
    """Every difference between cnncalc's report and PyTorch's forward pass of the exported module."""
    export = to_pytorch(spec)
    report = cnncalc.analyze(spec, batch=batch)
    got = measure(export, device, batch)
    problems = []
    for row in report.layers:
        expected = (row.output_shape, row.params, row.macs)
        actual = (got.shapes.get(row.name), got.params[row.name], got.macs[row.name])
        if expected != actual:
            problems.append(f"{row.name} ({row.type}): cnncalc {expected}, PyTorch {actual}")
    t = report.totals
    if (t.params, t.non_trainable_params, t.macs) != (got.total_params, got.buffers, got.total_macs):
        problems.append(
            f"totals: cnncalc params {t.params}, buffers {t.non_trainable_params}, MACs {t.macs}; PyTorch "
            f"{got.total_params}, {got.buffers}, {got.total_macs}"
        )
    expected_outputs = tuple(o.shape for o in report.outputs)
    if expected_outputs != got.outputs:
        problems.append(f"outputs: cnncalc {expected_outputs}, PyTorch {got.outputs}")
    return problems


def tool_totals(export: PyTorchExport, tool: str) -> tuple[int, int]:
    """``(MACs, parameters)`` as the real tool reports them for the exported module, on one sample.

    torchinfo and thop run on the meta device. fvcore traces with torch.jit, which the meta device does
    not support, and ptflops must see a real forward pass (on the meta device PyTorch decomposes
    ``linear`` into calls ptflops has patched, and it would count them twice), so those two run on the
    CPU, on uninitialised weights (counting needs no values).
    """
    import contextlib
    import io
    import warnings

    torch = need("torch")
    shape = export.report.input_shape
    quiet = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        warnings.simplefilter("ignore")
        if tool == "torchinfo":
            torchinfo = need("torchinfo")
            stats = torchinfo.summary(build(export), input_size=(1, *shape), device="meta", verbose=0)
            return int(stats.total_mult_adds), int(stats.total_params)
        if tool == "thop":
            thop = need("thop")
            ops, params = thop.profile(build(export), inputs=(torch.zeros(1, *shape, device="meta"),), verbose=False)
            return int(ops), int(params)
        model = build(export).to_empty(device="cpu")
        if tool == "fvcore":
            fvcore_nn = need("fvcore.nn")
            analysis = fvcore_nn.FlopCountAnalysis(model, (torch.zeros(1, *shape),))
            analysis.unsupported_ops_warnings(False)
            analysis.uncalled_modules_warnings(False)
            analysis.tracer_warnings("none")
            return int(analysis.total()), int(fvcore_nn.parameter_count(model)[""])
        assert tool == "ptflops"
        ptflops = need("ptflops")
        macs, params = ptflops.get_model_complexity_info(
            model, tuple(shape), as_strings=False, print_per_layer_stat=False, verbose=False
        )
        return int(macs), int(params)
