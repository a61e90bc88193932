"""What a table of layers shows — its columns (``--columns``), its totals, and the :class:`View` a
command asks for — shared by the rich table and Markdown."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import UsageError
from ..receptive import AxisField, Number, show
from ..record import record
from ..report import LayerResult, ModuleResult, Report
from .fmt import both, count, human_bytes, percent, shape

Entry = LayerResult | ModuleResult


@record
class Column:
    name: str
    heading: str
    help: str
    cell: Callable[[Report, Entry, bool], str]  # (report, entry, exact) → text
    numeric: bool = False  # right-aligned
    on_headers: bool = False  # also shown on a module row whose contents follow
    blank: str = ""  # what the rich table shows for an empty cell


def _figure(value: int, exact: bool) -> str:
    return count(value, exact) if value else ""


def _field(values: Callable[[AxisField], Number]) -> Callable[[Report, Entry, bool], str]:
    """``163`` when every axis agrees, ``163×99`` otherwise; empty without spatial axes."""

    def cell(report: Report, entry: Entry, exact: bool) -> str:
        texts = [show(values(axis)) for axis in entry.receptive_field]
        return "" if not texts else texts[0] if len(set(texts)) == 1 else "×".join(texts)

    return cell


def _inputs(entry: Entry) -> str:
    if isinstance(entry, LayerResult):
        return " + ".join(shape(s) for s in entry.input_shapes)
    return shape(entry.input_shape)


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("layer", "Layer", "name (the table indents it by depth)", lambda r, e, x: e.name, on_headers=True),
        Column("type", "Type", "layer kind, merge or block", lambda r, e, x: e.type, on_headers=True),
        Column("input", "Input", "input shape(s)", lambda r, e, x: _inputs(e), numeric=True, on_headers=True),
        Column(
            "output", "Output", "output shape", lambda r, e, x: shape(e.output_shape), numeric=True, on_headers=True
        ),
        Column("details", "Details", "filters, window, padding …", lambda r, e, x: e.details, on_headers=True),
        Column(
            "params", "Params", "learnable parameters", lambda r, e, x: _figure(e.params, x), numeric=True, blank="–"
        ),
        Column(
            "weights", "Weights", "learnable weights", lambda r, e, x: _figure(e.weights, x), numeric=True, blank="–"
        ),
        Column("biases", "Biases", "learnable biases", lambda r, e, x: _figure(e.biases, x), numeric=True, blank="–"),
        Column("macs", "MACs", "multiply-accumulates", lambda r, e, x: _figure(e.macs, x), numeric=True, blank="–"),
        Column("flops", "FLOPs", "2 × MACs", lambda r, e, x: _figure(e.flops, x), numeric=True, blank="–"),
        Column("share", "% MACs", "share of the total MACs", lambda r, e, x: percent(r.mac_share(e)), numeric=True),
        Column(
            "activations",
            "Activations",
            "output elements",
            lambda r, e, x: _figure(e.activations, x),
            numeric=True,
            blank="–",
        ),
        Column("memory", "Memory", "activation memory", lambda r, e, x: human_bytes(e.activation_bytes), numeric=True),
        Column("rf", "RF", "receptive field size, per axis", _field(lambda a: a.size), numeric=True, on_headers=True),
        Column("jump", "Jump", "receptive field jump (effective stride)", _field(lambda a: a.jump), numeric=True),
        Column("centre", "Centre", "centre of output 0's field", _field(lambda a: a.centre), numeric=True),
    )
}
DEFAULT = ("layer", "type", "output", "details", "params", "macs", "share")


def choose(text: str | None) -> tuple[Column, ...]:
    """``layer,output,rf`` exactly those; ``+rf,-details`` the default with additions and removals."""
    if text is None:
        return tuple(COLUMNS[name] for name in DEFAULT)
    items = [item.strip() for item in text.split(",") if item.strip()]
    relative = all(item[0] in "+-" for item in items)
    names: list[str] = list(DEFAULT) if relative else []
    for item in items:
        name = item.lstrip("+-")
        if name not in COLUMNS:
            raise UsageError(f"--columns: unknown column '{name}'", "columns: " + column_help())
        if item.startswith("-"):
            names = [n for n in names if n != name]
        elif name not in names:
            names.append(name)
    if not names:
        raise UsageError("--columns leaves no column to show", "e.g. --columns layer,output,rf")
    return tuple(COLUMNS[name] for name in names)


def column_help() -> str:
    return "; ".join(f"{c.name} ({c.help})" for c in COLUMNS.values())


@record
class View:
    """How a report is shown: modules folded below ``depth``, exact integers, the columns, and whether
    the chart follows the table."""

    depth: int | None = None
    exact: bool = False
    columns: tuple[Column, ...] = ()
    chart: bool = False

    @property
    def shown(self) -> tuple[Column, ...]:
        return self.columns or choose(None)


DEFAULT_VIEW = View()


@record
class Total:
    """One line under the table: a label (which may name ``{dtype}``, ``{batch}`` and ``{peak}``, the row
    running at the activation peak), the :class:`~cnncalc.report.Totals` attribute, and its formatter."""

    label: str
    attribute: str
    formatter: Callable[[int], str]
    conventions: tuple[str, ...] = ()  # shown only under these conventions; () for always
    nonzero: bool = False  # shown only when not 0

    def cells(self, report: Report) -> tuple[str, str] | None:
        if self.conventions and report.convention not in self.conventions:
            return None
        t = report.totals
        if self.nonzero and not getattr(t, self.attribute):
            return None
        label = self.label.format(dtype=report.dtype, batch=report.batch, peak=t.peak_activation_layer)
        return label, self.formatter(getattr(t, self.attribute))


TOTALS = (
    Total("Parameters (trainable)", "params", both),
    Total("Non-trainable parameters", "non_trainable_params", both),
    Total("Total parameters", "total_params", both),
    Total("Parameters as onnx-tool counts them", "convention_params", both, conventions=("onnx-tool",)),
    Total("MACs", "macs", both),
    Total("Rows of unknown cost (MACs and FLOPs are lower bounds)", "unknown_cost_rows", str, nonzero=True),
    Total("Other ops", "other_ops", both, conventions=("full",)),
    Total("FLOPs", "flops", both),
    Total("Activations (output elements)", "activations", both),
    Total("Parameter memory ({dtype})", "param_bytes", human_bytes),
    Total("Activation memory ({dtype}, batch {batch})", "activation_bytes", human_bytes),
    Total("Peak activation memory (at {peak})", "peak_activation_bytes", human_bytes),
)


def totals(report: Report) -> list[tuple[str, str]]:
    """(label, value) of every total the report shows."""
    return [cells for total in TOTALS if (cells := total.cells(report)) is not None]
