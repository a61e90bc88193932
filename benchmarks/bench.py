"""cnncalc's benchmarks: scale, start-up, many files, onnx-tool and the framework route, each beside its
floor (a bare interpreter, ``import yaml``, libyaml's parse and the C JSON encoder on the same input).
Writes benchmarks/RESULTS.md.

    python benchmarks/bench.py            # everything, about three minutes on two cores
    python benchmarks/bench.py --quick    # fewer repetitions, no 100,000-layer specs
    python benchmarks/bench.py --also /path/to/other/venv/bin/python   # start-up of another install too

Every figure is measured in this run, in fresh processes: ``cnncalc`` is run as users run it
(``python -m cnncalc …`` with its stdout discarded), wall time by ``time.perf_counter`` around the child
and peak memory as the child's maximum resident set size (``os.wait4``). A stage breakdown and a
``tracemalloc`` peak come from a child that runs the same stages in-process.

The framework route (``torch`` + ``torchinfo``: import, build the model, one forward pass) runs only when
both are importable, the onnx-tool comparison (a ResNet-50 ONNX file built here with ``torch.onnx.export``)
only when torch, onnx and onnx-tool are; none of them is a dependency of cnncalc.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
# Installed packages carry compiled bytecode; this sandbox sets PYTHONDONTWRITEBYTECODE, which would make
# every run recompile cnncalc's sources (about 25 ms): children run without it, after a warm-up.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"CNNCALC_DEBUG": ""}


# ------------------------------------------------------------------------------------------ running


def run(argv: Sequence[str], capture: bool = False) -> tuple[float, int, str, float]:
    """Run a child to completion: (wall seconds, peak RSS in bytes, its stdout if ``capture``, CPU seconds —
    user and system: what the child itself costs, however busy the machine)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1) if capture else (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], list(argv), ENV, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if status:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed ({status}): {err.read()[-2000:].decode(errors='replace')}")
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss * 1024, out.read().decode() if capture else "", cpu


def timings(argv: Sequence[str], repeat: int) -> tuple[float, float, int, float]:
    """(median, minimum) wall seconds over ``repeat`` runs, the largest peak RSS among them and the median
    CPU seconds."""
    runs = [run(argv) for _ in range(repeat)]
    walls = [r[0] for r in runs]
    return statistics.median(walls), min(walls), max(r[1] for r in runs), statistics.median(r[3] for r in runs)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cnncalc", *args]


# -------------------------------------------------------------------------------- generated specs


def sequential(rows: int) -> str:
    """``rows`` layers in one list: conv 3×3 → batchnorm → relu, again and again."""
    cycle = ["  - conv: {filters: 16, kernel: 3, padding: 1}", "  - batchnorm", "  - relu"]
    body = "\n".join(cycle[i % 3] for i in range(rows))
    return f"name: sequential-{rows}\ninput: [16, 32, 32]\nlayers:\n{body}\n"


def branchy(rows: int) -> str:
    """Stages of inception-like cells: blocks nested four deep, 100 rows per stage instance."""
    stages = "\n".join(f"  - stage: {{w: {8 + i % 3 * 4}}}" for i in range(rows // 100))
    return f"""name: branchy-{rows}
input: [64, 16, 16]
blocks:
  unit:          # 3 rows
    params: [w]
    layers: [conv: {{filters: $w, kernel: 1}}, batchnorm, relu]
  branch:        # 6 rows
    params: [w]
    layers: [unit: {{w: $w}}, unit: {{w: $w}}]
  cell:          # 3 + 6 + 6 + 4 rows and the concat: 20
    params: [w]
    layers:
      - parallel:
          merge: concat
          branches:
            - [unit: {{w: $w}}]
            - [branch: {{w: $w}}]
            - [branch: {{w: $w}}]
            - [maxpool: {{kernel: 3, stride: 1, padding: 1}}, unit: {{w: $w}}]
  stage:         # 100 rows
    params: [w]
    layers: [cell: {{w: $w}}, cell: {{w: $w}}, cell: {{w: $w}}, cell: {{w: $w}}, cell: {{w: $w}}]
layers:
{stages}
"""


STAGES_CHILD = r"""
import gc, json, os, sys, time, tracemalloc
gc.disable()  # as the CLI does
t0 = time.perf_counter()
import cnncalc
from cnncalc import loader, yaml_source  # the YAML reader is imported on first use: not a stage
from cnncalc.cli.common import emit_chunks
from cnncalc.export.lowering import with_pytorch_notes
from cnncalc.spec import parse_spec
from cnncalc.render.text import json_chunks
t1 = time.perf_counter()
stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
text = open(sys.argv[1], encoding="utf-8").read()
def stages():
    data, source_map = loader.parse_yaml(text, sys.argv[1])
    a = time.perf_counter()
    spec = parse_spec(data, source_map)
    source_map.release()  # as cnncalc.loads does
    b = time.perf_counter()
    report = with_pytorch_notes(cnncalc.analyze(spec))  # as summarize does
    c = time.perf_counter()
    emit_chunks(json_chunks(report))  # written to /dev/null as the CLI writes it
    d = time.perf_counter()
    return a, b, c, d, report.totals.layers
s = time.perf_counter()
a, b, c, d, rows = stages()
result = {"import": t1 - t0, "yaml": a - s, "spec": b - a, "analyze": c - b, "json": d - c, "rows": rows}
# the floors: libyaml's C parser building plain Python data from the same text, and the C JSON encoder
# writing the same rows with no layout
import yaml
e = time.perf_counter()
yaml.load(text, Loader=yaml.CSafeLoader)
f = time.perf_counter()
report = cnncalc.analyze(parse_spec(*loader.parse_yaml(text, sys.argv[1])))
data = report.to_dict()
g = time.perf_counter()
json.dumps(data, ensure_ascii=False)
h = time.perf_counter()
result |= {"c_yaml": f - e, "c_json": h - g}
del report, data
tracemalloc.start()
stages()
result["traced_peak"] = tracemalloc.get_traced_memory()[1]
stdout.write(json.dumps(result))
"""


def scale(sizes: Sequence[int], repeat: int) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny.yaml"
        tiny.write_text(sequential(1), encoding="utf-8")
        run(cli("summarize", str(tiny), "-f", "json"))  # warm-up: bytecode, page cache
        base = timings(cli("summarize", str(tiny), "-f", "json"), repeat)
        results.append({"shape": "one layer (start-up)", "rows": 1, "bytes": tiny.stat().st_size, "run": base})
        for shape, make in (("sequential", sequential), ("branch-heavy, nested blocks", branchy)):
            for wanted in sizes:
                # the layer limit (cnncalc.spec.MAX_LAYERS) counts modules as well as rows: a 100-row stage of
                # the branch-heavy spec is 166 entries (66 block instances), so it takes 60,000 of its rows
                rows = min(wanted, 60_000) if make is branchy else wanted
                path = Path(tmp) / f"{shape.split(',')[0]}-{rows}.yaml"
                path.write_text(make(rows), encoding="utf-8")
                reps = repeat if rows <= 10_000 else max(1, repeat // 3)
                measured = timings(cli("summarize", str(path), "-f", "json"), reps)
                stages = json.loads(run([sys.executable, "-c", STAGES_CHILD, str(path)], capture=True)[2])
                results.append(
                    {"shape": shape, "rows": stages["rows"], "bytes": path.stat().st_size, "run": measured, **stages}
                )
                print(f"  {shape} {stages['rows']:,} rows: {measured[0]:.3f} s", file=sys.stderr)
    return results


def report_pages(repeat: int) -> list[dict[str, Any]]:
    """``cnncalc report`` (the HTML page, to /dev/null) against ``summarize --format json`` of the same spec
    in the same run — the floor: reading the spec and analysing it — and the page's size."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        specs = {"googlenet": "googlenet", "resnet50": "resnet50"}
        for shape, make in (("sequential", sequential), ("branch-heavy", branchy)):
            for rows in (1_000, 10_000):
                path = Path(tmp) / f"{shape}-{rows}.yaml"
                path.write_text(make(rows), encoding="utf-8")
                specs[f"{shape} {rows:,} rows"] = str(path)
        for name, spec in specs.items():
            page = run(cli("report", spec), capture=True)[2]
            floor = timings(cli("summarize", spec, "-f", "json"), repeat)
            measured = timings(cli("report", spec), repeat)
            results.append({"spec": name, "floor": floor, "run": measured, "bytes": len(page.encode())})
            print(f"  report {name}: {measured[0]:.3f} s, {len(page.encode()):,} bytes", file=sys.stderr)
    return results


def _pages(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## The HTML report",
        "",
        "`cnncalc report SPEC` (the page written to /dev/null) against `cnncalc summarize SPEC --format json` "
        "of the same spec in the same run, the floor (reading, parsing and analysing the spec are common to "
        "both); the page's size.",
        "",
        "| spec | summarize -f json | report | ratio | report peak RSS | page |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        (floor, *_), (wall, low, rss, *_) = r["floor"], r["run"]
        lines.append(
            f"| {r['spec']} | {ms(floor)} | {ms(wall)} ({ms(low)}) | {wall / floor:.1f}× | {mb(rss)} | "
            f"{r['bytes'] / 1000:,.0f} KB |"
        )
    return lines


# ------------------------------------------------------------------------- work bounded by the limits


def edited(rows: int, every: int | None) -> str:
    """``rows`` convs 1×1; with ``every``, each ``every``-th has 9 filters instead of 8 (issue 13's diff case)."""
    body = "\n".join(f"  - conv: {{filters: {9 if every and i % every == 3 else 8}, kernel: 1}}" for i in range(rows))
    return f"name: flat-{rows}\ninput: [8, 4, 4]\nlayers:\n{body}\n"


def expected(rows: int) -> str:
    """``rows`` relus and a ``checks.layers`` entry for each (issue 13's quadratic ``check``)."""
    entries = "\n".join(f"    relu{i + 1}: {{output_shape: [3, 4, 4]}}" for i in range(rows))
    body = "\n".join("  - relu" for _ in range(rows))
    return f"name: checked-{rows}\ninput: [3, 4, 4]\nlayers:\n{body}\nchecks:\n  layers:\n{entries}\n"


def limits(sizes: Sequence[int], repeat: int) -> list[dict[str, Any]]:
    """``diff`` of long specs with an edit every 7th row, ``check`` with one ``checks.layers`` entry per row,
    and the table: each against its floor, ``summarize --format json`` of the same spec(s) in this run."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            reps = repeat if rows <= 10_000 else 1
            old, new, checked = (Path(tmp) / f"{n}-{rows}.yaml" for n in ("old", "new", "checked"))
            old.write_text(edited(rows, None), encoding="utf-8")
            new.write_text(edited(rows, 7), encoding="utf-8")
            checked.write_text(expected(rows), encoding="utf-8")
            floor_one = timings(cli("summarize", str(new), "-f", "json"), reps)
            cases = [
                ("diff, an edit every 7th row", cli("diff", str(old), str(new), "-f", "json"), 2),
                ("check, an expectation per row", cli("check", str(checked)), 1),
                ("summarize, table", cli("summarize", str(new)), 1),
            ]
            for name, argv, specs in cases:
                floor = floor_one if name != "check, an expectation per row" else None
                if floor is None:
                    floor = timings(cli("summarize", str(checked), "-f", "json"), reps)
                measured = timings(argv, reps)
                results.append({"case": name, "rows": rows, "run": measured, "floor": floor, "specs": specs})
                print(f"  {name} {rows:,} rows: {measured[0]:.3f} s", file=sys.stderr)
    return results


def nested(rows: int) -> str:
    """Blocks nested 30 deep around one relu, repeated: 31 rows per relu, the most block rows per layer."""
    blocks = "\n".join(["  b1: {layers: [relu]}"] + [f"  b{i}: {{layers: [b{i - 1}]}}" for i in range(2, 31)])
    layers = f"[repeat: {{times: {rows // 31}, layers: [b30]}}]"  # and the repeat's own row
    return f"name: nested-{rows}\ninput: [3, 4, 4]\nblocks:\n{blocks}\nlayers: {layers}\n"


def worst_cases() -> list[dict[str, Any]]:
    """Every command on the largest specs cnncalc accepts (``MAX_LAYERS`` rows), once each: the row limit is
    what bounds their time and memory (issue 13: well under 30 s and 2 GB on two cores)."""
    from cnncalc.spec import MAX_LAYERS
    from cnncalc.sweep import MAX_SWEEP_ROWS

    rows = MAX_LAYERS
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "sequential": sequential(rows),
            "nested": nested(rows),
            "edited": edited(rows, 7),
            "flat": edited(rows, None),
            "checked": expected(rows),
            "repeat": f"name: r\ninput: [3, 8, 8]\nlayers: [repeat: {{times: {rows - 1}, layers: [relu]}}]\n",  # + 1
        }
        path = {}
        for name, text in files.items():
            path[name] = str(Path(tmp) / f"{name}.yaml")
            Path(path[name]).write_text(text, encoding="utf-8")
        seq = path["sequential"]
        widths = ",".join(str(w) for w in (0.25, 0.5, 0.75, 1, 2))
        settings = MAX_SWEEP_ROWS // rows  # the most a sweep of this spec accepts: 5 widths × 2 inputs
        cases = [
            ("summarize (table)", "sequential", cli("summarize", seq)),
            ("summarize (table)", "nested", cli("summarize", path["nested"])),
            *((f"summarize -f {f}", "sequential", cli("summarize", seq, "-f", f)) for f in ("json", "csv", "markdown")),
            *((f"summarize -f {f}", "sequential", cli("summarize", seq, "-f", f)) for f in ("dot", "mermaid", "html")),
            ("summarize -f json", "nested", cli("summarize", path["nested"], "-f", "json")),
            ("summarize -f json", "repeat (77 bytes)", cli("summarize", path["repeat"], "-f", "json")),
            ("report", "sequential", cli("report", seq)),
            ("report", "nested", cli("report", path["nested"])),
            ("explain", "sequential", cli("explain", seq)),
            ("explain -f html", "sequential", cli("explain", seq, "-f", "html")),
            ("diff (table)", "two, an edit every 7th row", cli("diff", path["flat"], path["edited"])),
            ("diff -f json", "two, an edit every 7th row", cli("diff", path["flat"], path["edited"], "-f", "json")),
            ("check", "an expectation per row", cli("check", path["checked"])),
            (f"sweep ({settings} settings)", "sequential", cli("sweep", seq, "-w", widths, "-i", "16x32x32,16x64x64")),
            ("memory", "sequential", cli("memory", seq)),
            ("export --to pytorch", "sequential", cli("export", seq)),
        ]
        for command, spec, argv in cases:
            wall, rss, _, cpu = run(argv)
            results.append({"command": command, "spec": spec, "wall": wall, "cpu": cpu, "rss": rss})
            print(f"  {command} on {spec}: {wall:.1f} s, {cpu:.1f} s CPU, {mb(rss)}", file=sys.stderr)
    return results


def _worst_section(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "### Every command on the largest accepted spec",
        "",
        "Each command once on specs of 100,000 rows (`cnncalc.spec.MAX_LAYERS`): *sequential* is conv → "
        "batchnorm → relu (the widest table rows), *nested* one relu inside blocks nested 30 deep (31 rows per "
        "layer), *repeat* the 77-byte `repeat: {times: 99999, layers: [relu]}`; `diff` and `check` as above; "
        "`sweep` with the most settings it accepts for this spec (`cnncalc.sweep.MAX_SWEEP_ROWS`). CPU time is "
        "what the command costs however busy the machine; the budget is 30 s and 2 GB.",
        "",
        "| command | spec | wall time | CPU time | peak RSS |",
        "|---|---|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(f"| {r['command']} | {r['spec']} | {ms(r['wall'])} | {ms(r['cpu'])} | {mb(r['rss'])} |")
    return lines


def _limits_section(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Work bounded by the limits",
        "",
        "Commands whose work once grew faster than the spec (issue 13), each against its floor measured in the "
        "same run: `summarize --format json` of the same spec (twice for `diff`, which analyses two). *diff*: "
        "flat convs 1×1, the new spec with 9 filters instead of 8 in every 7th; *check*: one relu per row and a "
        "`checks.layers` entry for each; *table*: the default format, the most expensive per row.",
        "",
        "| command | rows | wall time | floor | ratio | CPU time | CPU floor | CPU ratio | peak RSS | floor RSS |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        wall, low, rss, cpu = r["run"]
        floor, cpu_floor = r["floor"][0] * r["specs"], r["floor"][3] * r["specs"]
        lines.append(
            f"| {r['case']} | {r['rows']:,} | {ms(wall)} ({ms(low)}) | {ms(floor)} | {wall / floor:.2f} | "
            f"{ms(cpu)} | {ms(cpu_floor)} | {cpu / cpu_floor:.2f} | {mb(rss)} | {mb(r['floor'][2])} |"
        )
    return lines


# ------------------------------------------------------------------------------------------ start-up


def startup(repeat: int, others: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """Interleaved, so that load on the machine affects every command alike."""
    commands: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import yaml"': [sys.executable, "-c", "import yaml"],
        'python -c "import cnncalc"': [sys.executable, "-c", "import cnncalc"],
        CORE: [sys.executable, "-c", "from cnncalc import analyze, preset"],  # the API with its core loaded
        "cnncalc preset alexnet --format json": cli("preset", "alexnet", "--format", "json"),
        "cnncalc preset alexnet --format table": cli("preset", "alexnet", "--format", "table"),
        "cnncalc --version": cli("--version"),
        "cnncalc --help": cli("--help"),
    }
    for other in others:
        probe = "import importlib.metadata as m; print(m.version('typer'))"
        typer = subprocess.run([other, "-c", probe], capture_output=True, text=True, env=ENV, check=True).stdout
        commands[f"cnncalc preset alexnet --format json (other install: typer {typer.strip()})"] = [
            shutil.which(other) or other,
            "-m",
            "cnncalc",
            "preset",
            "alexnet",
            "--format",
            "json",
        ]
    for argv in commands.values():
        run(argv)  # warm-up
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            wall, _, _, cpu = run(argv)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (statistics.median(w), min(w), statistics.median(cpus[name])) for name, w in walls.items()}


CORE = 'python -c "from cnncalc import analyze, preset"'
STARTUP_TARGETS = {  # command → (the floor it is measured against, the most it may add), issue 14
    'python -c "import cnncalc"': ('python -c "import yaml"', 0.020),
    CORE: ('python -c "import yaml"', 0.020),  # import cnncalc's target, once its names are used
    "cnncalc preset alexnet --format json": ("python -c pass", 0.045),
    "cnncalc preset alexnet --format table": ("python -c pass", 0.080),
    "cnncalc --version": ("python -c pass", 0.045),
    "cnncalc --help": ("python -c pass", 0.045),
}


def import_profile() -> list[tuple[str, int]]:
    """The biggest top-level imports (cumulative µs) of ``cnncalc preset alexnet --format json``, lazy ones
    included, from ``python -X importtime``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *cli("preset", "alexnet", "--format", "json")[1:]],
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|")
        if len(name) - len(name.lstrip()) <= 1:  # imported by cnncalc's own code, or lazily at run time
            rows.append((name.strip(), int(cumulative)))
    return sorted(rows, key=lambda r: -r[1])[:10]


def _import_tree(argv: Sequence[str]) -> list[tuple[str, int, list[Any]]]:
    """The imports of a run as ``python -X importtime`` prints them: (name, self µs, children) roots."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, env=ENV)
    stack: list[tuple[int, tuple[str, int, list[Any]]]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, _, name = line[len("import time:") :].split("|")
        level = len(name) - len(name.lstrip())
        children = []
        while stack and stack[-1][0] > level:  # printed after its imports: the deeper lines above are its own
            children.insert(0, stack.pop()[1])
        stack.append((level, (name.strip(), int(own), children)))
    return [node for _, node in stack]


BREAKDOWN_GROUPS = ("the interpreter's own start-up", "PyYAML", "typer", "rich", "standard library", "cnncalc")


def import_breakdown() -> dict[str, dict[str, int]]:
    """Where the imports of the JSON and the table runs go (self µs summed by group): what a bare interpreter
    imports too, PyYAML, typer, rich, the rest of the standard library, and cnncalc's own modules."""
    bare = {name for name, _, _ in _import_tree(["-c", "pass"])}

    def add(totals: dict[str, int], node: tuple[str, int, list[Any]], group: str | None) -> None:
        name, own, children = node
        top = name.split(".")[0]
        if group is None and name in bare:
            group = BREAKDOWN_GROUPS[0]
        here = group or {"yaml": "PyYAML", "_yaml": "PyYAML", "typer": "typer", "click": "typer", "rich": "rich"}.get(
            top, "cnncalc" if top == "cnncalc" else "standard library"
        )
        totals[here] = totals.get(here, 0) + own
        for child in children:  # what a library imports is the library's cost; what cnncalc imports is sorted
            add(totals, child, here if here not in ("cnncalc", "standard library") else None)

    out = {}
    for label, args in (("--format json", ("--format", "json")), ("--format table", ("--format", "table"))):
        totals: dict[str, int] = {}
        for root in _import_tree(cli("preset", "alexnet", *args)[1:]):
            add(totals, root, None)
        out[label] = totals
    return out


# ---------------------------------------------------------------------------------- framework route

TORCH_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import torch
from torch import nn
import torchinfo
t1 = time.perf_counter()

def alexnet():  # Caffe's bvlc_alexnet deploy.prototxt, as the alexnet preset
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000), nn.Softmax(dim=1),
    )

class Inception(nn.Module):
    def __init__(self, c, n1, r3, n3, r5, n5, pp):
        super().__init__()
        relu = lambda: nn.ReLU()
        self.b1 = nn.Sequential(nn.Conv2d(c, n1, 1), relu())
        self.b2 = nn.Sequential(nn.Conv2d(c, r3, 1), relu(), nn.Conv2d(r3, n3, 3, padding=1), relu())
        self.b3 = nn.Sequential(nn.Conv2d(c, r5, 1), relu(), nn.Conv2d(r5, n5, 5, padding=2), relu())
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, padding=1, ceil_mode=True), nn.Conv2d(c, pp, 1), relu())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)

def googlenet():  # Caffe's bvlc_googlenet deploy.prototxt, as the googlenet preset
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.ReLU(), pool(), lrn(),
        nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(), lrn(), pool(),
        Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64), pool(),
        Inception(480, 192, 96, 208, 16, 48, 64), Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64), Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128), pool(),
        Inception(832, 256, 160, 320, 32, 128, 128), Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AvgPool2d(7, stride=1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(1024, 1000), nn.Softmax(dim=1),
    )

name, size = sys.argv[1], int(sys.argv[2])
model = {"alexnet": alexnet, "googlenet": googlenet}[name]()
t2 = time.perf_counter()
with torch.no_grad():
    stats = torchinfo.summary(model, input_size=(1, 3, size, size), verbose=0)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "build": t2 - t1, "summary": t3 - t2, "params": stats.total_params,
                  "mult_adds": stats.total_mult_adds, "torch": torch.__version__,
                  "torchinfo": getattr(torchinfo, "__version__", "?")}))
"""


def framework(repeat: int) -> list[dict[str, Any]] | str:
    probe = subprocess.run([sys.executable, "-c", "import torch, torchinfo"], capture_output=True, env=ENV)
    if probe.returncode:
        return "torch and torchinfo are not installed: the framework route was not measured"
    import cnncalc

    rows = []
    for name, size in (("alexnet", 227), ("googlenet", 224)):
        report = cnncalc.analyze(cnncalc.preset(name))
        # torchinfo counts a bias as one multiply-add per output position: add them to compare
        bias_adds = sum(
            row.biases * (row.activations // row.output_shape[0] if len(row.output_shape) > 1 else 1)
            for row in report.layers
        )
        ours = timings(cli("preset", name, "--format", "json"), repeat)
        torch_argv = [sys.executable, "-c", TORCH_CHILD, name, str(size)]
        run(torch_argv)  # warm-up
        theirs = [run(torch_argv, capture=True) for _ in range(max(1, repeat // 2))]
        walls = [t[0] for t in theirs]
        detail = json.loads(sorted(theirs)[len(theirs) // 2][2])  # the breakdown of the median run
        start = time.perf_counter()
        for _ in range(100):
            cnncalc.analyze(cnncalc.preset(name))
        in_process = (time.perf_counter() - start) / 100
        rows.append(
            {
                "name": name,
                "ours": ours,
                "theirs": (statistics.median(walls), min(walls), max(t[1] for t in theirs)),
                "detail": detail,
                "params": report.totals.params,
                "macs": report.totals.macs,
                "bias_adds": bias_adds,
                "in_process": in_process,
            }
        )
        print(f"  {name}: cnncalc {ours[0]:.3f} s, torch {statistics.median(walls):.3f} s", file=sys.stderr)
    return rows


# -------------------------------------------------------------------------------- many files, one process


def many_files(repeat: int, count: int = 200) -> dict[str, Any]:
    """``cnncalc check DIR`` over ``count`` spec files (the example specs and the presets, again and again)."""
    sources = sorted((HERE.parent / "specs").glob("*.yaml")) + sorted(
        (HERE.parent / "src" / "cnncalc" / "presets").glob("*.yaml")
    )
    with tempfile.TemporaryDirectory() as tmp:
        for i, source in zip(range(count), itertools.cycle(sources)):
            shutil.copy(source, Path(tmp) / f"{i:03d}-{source.name}")
        argv = cli("check", tmp)
        run(argv)  # warm-up
        measured = timings(argv, repeat)
    print(f"  check {count} files: {measured[0]:.3f} s", file=sys.stderr)
    return {"files": count, "run": measured}


# ------------------------------------------------------------------------------------- ONNX: onnx-tool

ONNX_BUILD_CHILD = r"""
import sys, warnings
import torch
from torch import nn

class Bottleneck(nn.Module):  # torchvision's ResNet-50 bottleneck (stride on the 3×3), as the resnet50 preset
    def __init__(self, cin, width, stride, project):
        super().__init__()
        out = width * 4
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, out, 1, bias=False), nn.BatchNorm2d(out)
        self.relu = nn.ReLU()
        self.down = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False), nn.BatchNorm2d(out)) if project else None

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + (x if self.down is None else self.down(x)))

layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
cin = 64
for stage, (width, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
    for b in range(blocks):
        layers.append(Bottleneck(cin, width, 2 if b == 0 and stage else 1, b == 0))
        cin = width * 4
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)).eval()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.onnx.export(model, (torch.zeros(1, 3, 224, 224),), sys.argv[1], dynamo=False, opset_version=17)
print(sum(p.numel() for p in model.parameters()))
"""

ONNX_TOOL_CHILD = r"""
import contextlib, io, json, sys, time
t0 = time.perf_counter()
import onnx_tool
t1 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as table:
    onnx_tool.model_profile(sys.argv[1])  # shape inference, per-node profile, the printed table
t2 = time.perf_counter()
total = next(line for line in table.getvalue().splitlines() if line.startswith("Total")).split()
print(json.dumps({"import": t1 - t0, "profile": t2 - t1, "macs": int(total[2].replace(",", "")),
                  "params": int(total[6].replace(",", "")), "version": onnx_tool.VERSION}))
"""


def onnx_route(repeat: int) -> dict[str, Any] | str:
    """onnx-tool profiling a ResNet-50 ONNX file against ``cnncalc preset resnet50`` and, where cnncalc reads
    ONNX, ``cnncalc summarize`` of the same file."""
    probe = subprocess.run([sys.executable, "-c", "import torch, onnx, onnx_tool"], capture_output=True, env=ENV)
    if probe.returncode:
        return "torch, onnx and onnx-tool are not all installed: the ONNX comparison was not measured"
    import cnncalc

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "resnet50.onnx")
        torch_params = int(run([sys.executable, "-c", ONNX_BUILD_CHILD, path], capture=True)[2])
        theirs_argv = [sys.executable, "-c", ONNX_TOOL_CHILD, path]
        commands = {"preset": cli("preset", "resnet50", "--format", "json"), "onnx-tool": theirs_argv}
        try:
            run(cli("summarize", path, "--format", "json"))
            commands["summarize"] = cli("summarize", path, "--format", "json")
        except RuntimeError as exc:
            said = [line.strip() for line in str(exc).splitlines() if line.strip() and "hint:" not in line]
            unsupported = said[-1][-300:]
        else:
            unsupported = ""
        for argv in commands.values():
            run(argv)  # warm-up
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        rss: dict[str, int] = dict.fromkeys(commands, 0)
        detail: list[dict[str, Any]] = []
        for _ in range(repeat):
            for name, argv in commands.items():
                wall, peak, out, cpu = run(argv, capture=name == "onnx-tool")
                walls[name].append(wall)
                cpus[name].append(cpu)
                rss[name] = max(rss[name], peak)
                if out:
                    detail.append({"wall": wall, **json.loads(out)})
        size = Path(path).stat().st_size
    report = cnncalc.analyze(cnncalc.preset("resnet50"))
    result = {
        name: (statistics.median(w), min(w), rss[name], statistics.median(cpus[name])) for name, w in walls.items()
    }
    print(f"  resnet50: cnncalc {result['preset'][0]:.3f} s, onnx-tool {result['onnx-tool'][0]:.3f} s", file=sys.stderr)
    return {
        "runs": result,
        "detail": sorted(detail, key=lambda d: d["wall"])[len(detail) // 2],
        "bytes": size,
        "torch_params": torch_params,
        "params": report.totals.params,
        "macs": report.totals.macs,
        "unsupported": unsupported,
    }


# ------------------------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def write(
    scale_rows: list[dict[str, Any]],
    limit_rows: list[dict[str, Any]],
    start: dict[str, tuple[float, float, float]],
    imports: list[tuple[str, int]],
    route: list[dict[str, Any]] | str,
    many: dict[str, Any],
    onnx: dict[str, Any] | str,
    argv: list[str],
    worst: list[dict[str, Any]],
    breakdown: dict[str, dict[str, int]],
) -> str:
    import yaml

    import cnncalc

    lines = [
        "# cnncalc benchmarks",
        "",
        f"Measured by `python benchmarks/bench.py{' ' + ' '.join(argv) if argv else ''}` on "
        f"{time.strftime('%Y-%m-%d')}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, cnncalc {cnncalc.__version__}, "
        f"PyYAML {yaml.__version__} with{'' if hasattr(yaml, 'CSafeLoader') else 'out'} libyaml"
        f"{', typer ' + _version('typer') if _version('typer') else ''}. Every figure below comes from this "
        "one run; wall times are medians of fresh processes (minimum in brackets), CPU times (user + system) "
        "medians of the same runs — on a busy machine wall time grows with the load and CPU time much less — "
        "memory is the peak resident set size of the process. Regenerate with the command above. The machine "
        "may be shared: "
        f"load average {LOAD[0]:.2f} at the start of the run, {os.getloadavg()[0]:.2f} at the end.",
        "",
        "## Scale",
        "",
        "`cnncalc summarize FILE --format json` on generated specs: *sequential* is one list of conv → "
        "batchnorm → relu; *branch-heavy* lists stages of five inception-like cells (a four-branch concat of "
        "blocks nested four deep: stage → cell → branch → unit), 100 rows per stage. Rows are layers and "
        "merges (`totals.layers`).",
        "",
        "| spec | rows | file | wall time | CPU time | CPU per 1,000 rows* | peak RSS | RSS per 1,000 rows* | "
        "yaml | spec | analyze | json | traced peak | C yaml floor | C json floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    # per row: CPU time, which a load spike on a shared machine hardly moves (a one-layer run's wall time
    # can double between runs, and every wall figure per row with it)
    base_cpu, base_rss = scale_rows[0]["run"][3], scale_rows[0]["run"][2]
    for r in scale_rows:
        wall, low, rss, cpu = r["run"]
        if r["rows"] > 1:
            per_cpu = ms((cpu - base_cpu) / r["rows"] * 1000)
            per_rss = f"{(rss - base_rss) / r['rows'] * 1000 / 2**20:.1f} MB"
            stages = [ms(r[k]) for k in ("yaml", "spec", "analyze", "json")] + [mb(r["traced_peak"])]
            stages += [f"{ms(r[k])} ({r[stage] / r[k]:.1f}×)" for k, stage in (("c_yaml", "yaml"), ("c_json", "json"))]
        else:
            per_cpu = per_rss = ""
            stages = [""] * 7
        lines.append(
            f"| {r['shape']} | {r['rows']:,} | {r['bytes'] / 1024:,.0f} KiB | {ms(wall)} ({ms(low)}) | {ms(cpu)} | "
            f"{per_cpu} | "
            f"{mb(rss)} | {per_rss} | " + " | ".join(stages) + " |"
        )
    lines += [
        "",
        "\\* above the one-layer run (start-up and the interpreter). The stage columns come from one "
        "in-process run with the cyclic GC off, as the CLI runs (*analyze* with the PyTorch notes `summarize` "
        "adds); *traced peak* is `tracemalloc`'s peak over "
        "the same stages (Python allocations only). The floors, in the same process: *C yaml* is libyaml's "
        "`yaml.load(text, Loader=CSafeLoader)` of the same file (plain data, no positions, no checks), *C json* "
        "the C encoder's `json.dumps` of the same report's `to_dict()` (no layout); in brackets, our stage as a "
        "multiple of its floor.",
        "",
    ]
    lines += _linearity(scale_rows)
    lines += _limits_section(limit_rows)
    if worst:
        lines += _worst_section(worst)
    bare = start["python -c pass"][0]
    floor_yaml = start['python -c "import yaml"'][0]
    lines += [
        "",
        "## Start-up",
        "",
        "Fresh processes, interleaved so that load on the machine affects every command alike.",
        "",
        "| command | median | minimum | CPU | over `python -c pass` (CPU) | over `import yaml` (CPU) | target: "
        "wall, CPU |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    bare_cpu, yaml_cpu = start["python -c pass"][2], start['python -c "import yaml"'][2]
    for name, (median, low, cpu) in start.items():
        target = ""
        if name in STARTUP_TARGETS:
            floor, limit = STARTUP_TARGETS[name]
            wall_ok, cpu_ok = median - start[floor][0] <= limit, cpu - start[floor][2] <= limit
            target = f"≤ {ms(limit)} over `{floor}`: {'met' if wall_ok else 'missed'}, {'met' if cpu_ok else 'missed'}"
        lines.append(
            f"| `{name}` | {ms(median)} | {ms(low)} | {ms(cpu)} | {ms(median - bare)} ({ms(cpu - bare_cpu)}) | "
            f"{ms(median - floor_yaml)} ({ms(cpu - yaml_cpu)}) | {target} |"
        )
    lines += [
        "",
        "The largest top-level imports of `cnncalc preset alexnet --format json` (`python -X importtime`, "
        "cumulative, including the ones "
        "made lazily while it runs):",
        "",
        "| module | import time |",
        "|---|--:|",
    ]
    lines += [f"| `{name}` | {us / 1000:.1f} ms |" for name, us in imports]
    lines += [
        "",
        "Where the imports of `cnncalc preset alexnet` go (`python -X importtime`, each module's own time summed by "
        "who needs it; a library's imports count as the library's; the importer's own measurement adds to every "
        "figure, so compare them with each other rather than with the times above):",
        "",
        "| imported for | " + " | ".join(f"`{label}`" for label in breakdown) + " |",
        "|---|" + "--:|" * len(breakdown),
    ]
    for group in BREAKDOWN_GROUPS:
        if any(group in totals for totals in breakdown.values()):
            cells = [ms(totals.get(group, 0) / 1e6) for totals in breakdown.values()]
            lines.append(f"| {group} | " + " | ".join(cells) + " |")
    lines.append("| all | " + " | ".join(ms(sum(t.values()) / 1e6) for t in breakdown.values()) + " |")
    lazy = sum(us for name, us in imports if name.startswith(("typer._adapters", "pydantic")))
    if lazy:
        lines += [
            "",
            f"`typer._adapters` and `pydantic…` ({lazy / 1000:.0f} ms) are typer's: from typer 0.29 every option "
            "value is coerced by a pydantic TypeAdapter, and pydantic is imported when the command line is "
            "parsed (a row marked *other install* shows the same cnncalc with another typer, measured in this run).",
        ]
    median, low, rss, cpu = many["run"]
    lines += [
        "",
        "## Many files in one process",
        "",
        f"`cnncalc check DIR` over {many['files']} spec files (the example specs and the presets, copied again and "
        f"again): {ms(median)} ({ms(low)}), CPU {ms(cpu)}, peak RSS {mb(rss)}, {ms((median - bare) / many['files'])} "
        f"per file above a bare interpreter (target: under 2 s — {'met' if median < 2 else 'missed'} on the wall "
        f"clock, {'met' if cpu < 2 else 'missed'} in CPU time).",
    ]
    lines += ["", "## ONNX: onnx-tool", ""]
    if isinstance(onnx, str):
        lines.append(onnx + ".")
    else:
        runs, d = onnx["runs"], onnx["detail"]
        preset, theirs = runs["preset"], runs["onnx-tool"]
        lines += [
            f"onnx-tool {d['version']} profiles a ResNet-50 ONNX file ({onnx['bytes'] / 2**20:.0f} MB, built in this "
            "run: a plain-torch ResNet-50 — torchvision's layout, as the resnet50 preset — exported by "
            "`torch.onnx.export`, which folds each batchnorm into its conv) in a fresh process: import, "
            "`onnx_tool.model_profile` (load, shape inference, per-node profile, its printed table).",
            "",
            "| command | median | minimum | CPU | peak RSS | onnx-tool ÷ this (wall, CPU) |",
            "|---|--:|--:|--:|--:|--:|",
            f"| onnx-tool `model_profile(resnet50.onnx)` | {ms(theirs[0])} | {ms(theirs[1])} | {ms(theirs[3])} | "
            f"{mb(theirs[2])} | 1.0× |",
            f"| `cnncalc preset resnet50 --format json` | {ms(preset[0])} | {ms(preset[1])} | {ms(preset[3])} | "
            f"{mb(preset[2])} | {theirs[0] / preset[0]:.1f}×, {theirs[3] / preset[3]:.1f}× |",
        ]
        if "summarize" in runs:
            ours = runs["summarize"]
            lines.append(
                f"| `cnncalc summarize resnet50.onnx --format json` | {ms(ours[0])} | {ms(ours[1])} | {ms(ours[3])} | "
                f"{mb(ours[2])} | {theirs[0] / ours[0]:.1f}×, {theirs[3] / ours[3]:.1f}× |"
            )
        lines += [
            "",
            f"onnx-tool's median run: import {ms(d['import'])}, profile {ms(d['profile'])}. Targets: the preset at "
            f"least 4× faster ({'met' if theirs[0] >= 4 * preset[0] else 'missed'} on the wall clock, "
            f"{'met' if theirs[3] >= 4 * preset[3] else 'missed'} in CPU time), `summarize` of the ONNX file "
            "faster "
            + (
                f"({'met' if theirs[0] > runs['summarize'][0] else 'missed'})."
                if "summarize" in runs
                else f"(not measured: this cnncalc does not read ONNX files — {onnx['unsupported'].strip()})."
            ),
            "",
            f"Figures: cnncalc {onnx['params']:,} parameters and {onnx['macs']:,} MACs (conv and fc weights); torch "
            f"{onnx['torch_params']:,} parameters before export; onnx-tool {d['params']:,} parameters and "
            f"{d['macs']:,} MACs on the exported file, where each batchnorm is folded into its conv (the conv gains a "
            "bias, the batchnorm's scale and shift disappear) and its MACs count the other ops too (bias, ReLU, "
            "add, pooling). cnncalc's parameters equal torch's `sum(p.numel())`; onnx-tool's differ by more than the "
            "folding accounts for (not yet explained).",
        ]
    lines += ["", "## The framework route", ""]
    if isinstance(route, str):
        lines.append(route + ".")
    else:
        detail = route[0]["detail"]
        lines += [
            f"The same networks through PyTorch {detail['torch']} and torchinfo {detail['torchinfo']}: a fresh "
            "process imports torch and torchinfo, builds the model (Caffe's deploy definitions, as the presets) "
            "and runs `torchinfo.summary` (one forward pass of a 1×3×H×W tensor). cnncalc: a fresh process runs "
            "`cnncalc preset NAME --format json`.",
            "",
            "| network | cnncalc | torch + torchinfo | ratio | cnncalc peak RSS | torch peak RSS | "
            "torch import / build / summary | cnncalc in-process |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in route:
            d = r["detail"]
            lines.append(
                f"| {r['name']} | {ms(r['ours'][0])} | {ms(r['theirs'][0])} | {r['theirs'][0] / r['ours'][0]:.0f}× | "
                f"{mb(r['ours'][2])} | {mb(r['theirs'][2])} | "
                f"{ms(d['import'])} / {ms(d['build'])} / {ms(d['summary'])} | {ms(r['in_process'])} |"
            )
        lines += ["", "The figures agree:", "", "| network | | cnncalc | torchinfo |", "|---|---|--:|--:|"]
        for r in route:
            d = r["detail"]
            lines.append(f"| {r['name']} | parameters | {r['params']:,} | {d['params']:,} |")
            lines.append(
                f"| {r['name']} | MACs + bias additions | {r['macs']:,} + {r['bias_adds']:,} = "
                f"{r['macs'] + r['bias_adds']:,} | {d['mult_adds']:,} |"
            )
        lines += [
            "",
            'torchinfo\'s "mult-adds" count one multiply-add per bias element and output position on top of the '
            "MACs cnncalc reports (cnncalc's convention, like the papers', counts weights only).",
        ]
    return "\n".join(lines) + "\n"


def _linearity(rows: list[dict[str, Any]]) -> list[str]:
    base = rows[0]["run"][3]
    out = ["Growth (CPU time and peak RSS above the one-layer run, per size step):", ""]
    shapes: dict[str, list[dict[str, Any]]] = {}
    for r in rows[1:]:
        shapes.setdefault(r["shape"], []).append(r)
    for shape, group in shapes.items():
        steps = []
        for small, large in itertools.pairwise(group):
            factor = large["rows"] / small["rows"]
            time_factor = (large["run"][3] - base) / max(small["run"][3] - base, 1e-9)
            rss_factor = (large["run"][2] - rows[0]["run"][2]) / max(small["run"][2] - rows[0]["run"][2], 1)
            steps.append(f"×{factor:.0f} rows → ×{time_factor:.1f} CPU time, ×{rss_factor:.1f} memory")
        out.append(f"- {shape}: " + "; ".join(steps))
    return out


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return ""


LOAD = os.getloadavg()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no 100,000-layer specs")
    parser.add_argument("--also", action="append", default=[], help="another Python with cnncalc: time its start-up")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--limits-only", action="store_true", help="only the limits section, printed (the rest takes minutes)"
    )
    args = parser.parse_args(argv)
    argv = argv if argv is not None else sys.argv[1:]
    repeat = 3 if args.quick else 9
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    if args.limits_only:
        print("\n".join(_limits_section(limits(sizes, repeat)) + _worst_section(worst_cases())))
        return
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("scale", lambda: scale(sizes, repeat)),
        ("limits", lambda: limits(sizes, repeat)),
        ("start-up", lambda: startup(repeat * 2, args.also)),
        ("imports", import_profile),
        ("import breakdown", import_breakdown),
        ("framework route", lambda: framework(repeat)),
        ("report pages", lambda: report_pages(repeat)),
        ("many files", lambda: many_files(max(3, repeat // 3))),
        ("every command at the limit", lambda: worst_cases() if not args.quick else []),
        ("onnx-tool", lambda: onnx_route(repeat)),
    ]
    results = []
    for name, step in steps:
        print(f"{name}…", file=sys.stderr)
        results.append(step())
    scale_rows, limit_rows, start, imports, breakdown, route, pages, many, worst, onnx = results
    shown = [a for i, a in enumerate(argv) if a != "--output" and (i == 0 or argv[i - 1] != "--output")]
    text = write(scale_rows, limit_rows, start, imports, route, many, onnx, shown, worst, breakdown)
    text += "\n".join(_pages(pages)) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
