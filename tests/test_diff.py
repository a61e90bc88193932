"""``cnncalc diff``: a preset against edited copies — insertions, removals, changes, totals, formats."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnncalc
from cnncalc import diff as diff_module
from cnncalc.diff import Change, diff

from .conftest import Result

Cli = Callable[..., Result]
Write = Callable[..., Path]

ALEXNET = cnncalc.preset_text("alexnet-torchvision")
ALEXNET_PARAMS = 61_100_840  # torchvision's AlexNet


def edited(old: str, new: str, count: int = 1) -> str:
    assert ALEXNET.count(old) == count, old
    return ALEXNET.replace(old, new)


# a ReLU inserted after pool1 renumbers relu2 … relu7 (automatic names) into relu3 … relu8
INSERTED = edited(
    "  - maxpool: {name: pool1, kernel: 3, stride: 2}\n", "  - maxpool: {name: pool1, kernel: 3, stride: 2}\n  - relu\n"
)
WIDER = edited("{name: conv2, filters: 192,", "{name: conv2, filters: 256,")
NO_DROPOUT = edited("  - dropout: {rate: 0.5}\n", "", count=2)


def test_an_inserted_layer_reads_as_one_insertion() -> None:
    d = diff(cnncalc.preset("alexnet-torchvision"), cnncalc.loads(INSERTED))
    assert [(c.change, c.name, c.type) for c in d.layers] == [(Change.ADDED, "relu2", "relu")]
    (added,) = d.layers
    assert added.new is not None and added.new.output_shape == (64, 27, 27)  # after pool1
    assert d.unchanged == len(d.old.layers)  # every old row matched, renumbered or not
    assert d.total("params").delta == 0
    assert d.total("activations").delta == 64 * 27 * 27
    assert d.total("layers").delta == 1


def test_a_changed_layer_and_what_it_really_changes() -> None:
    d = diff(cnncalc.preset("alexnet-torchvision"), cnncalc.loads(WIDER))
    changed = {c.name: c for c in d.layers}
    assert all(c.change is Change.CHANGED for c in d.layers)
    assert list(changed) == ["conv2", "relu2", "pool2", "conv3"]  # conv4 onwards see the same input
    conv2, conv3 = changed["conv2"], changed["conv3"]
    assert conv2.old is not None and conv2.new is not None and conv3.old is not None and conv3.new is not None
    assert (conv2.old.params, conv2.new.params) == (5 * 5 * 64 * 192 + 192, 5 * 5 * 64 * 256 + 256)
    assert (conv3.old.params, conv3.new.params) == (3 * 3 * 192 * 384 + 384, 3 * 3 * 256 * 384 + 384)
    delta = (5 * 5 * 64 * 64 + 64) + 3 * 3 * 64 * 384  # 64 more conv2 filters; 64 more input channels of conv3
    params = d.total("params")
    assert (params.old, params.new, params.delta) == (ALEXNET_PARAMS, ALEXNET_PARAMS + delta, delta)
    assert params.relative == delta / ALEXNET_PARAMS


def test_removed_layers() -> None:
    d = diff(cnncalc.preset("alexnet-torchvision"), cnncalc.loads(NO_DROPOUT))
    assert [(c.change, c.name) for c in d.layers] == [(Change.REMOVED, "dropout1"), (Change.REMOVED, "dropout2")]
    # the dropouts pass on 256·6·6 = 9216 (after flatten) and 4096 (after fc6) values
    assert d.total("params").delta == 0 and d.total("activations").delta == -(9216 + 4096)


def test_a_spec_against_itself_has_no_changes() -> None:
    spec = cnncalc.preset("googlenet")
    d = diff(spec, spec)
    assert d.layers == () and d.unchanged == len(d.new.layers)
    assert all(t.delta == 0 for t in d.totals)


def test_renamed_block_instances_are_matched() -> None:
    old = cnncalc.preset("googlenet")
    new = cnncalc.loads(cnncalc.preset_text("googlenet").replace("inception_3a", "mixed_3a"))
    d = diff(old, new)
    assert d.layers == ()  # same figures everywhere: a rename is not a change


# -------------------------------------------------------------------------------------------- CLI


def test_markdown_for_a_pull_request(cli: Cli, spec_file: Write) -> None:
    path = spec_file(WIDER)
    result = cli("diff", "alexnet-torchvision", str(path), "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "### cnncalc diff: alexnet-torchvision (3×224×224 → 1000)"
    assert lines[2] == "0 added, 0 removed, 4 changed, 18 unchanged."  # of 22 rows
    assert lines[4:6] == ["| Change | Layer | Type | Output | Params | MACs |", "|---|---|---|---|--:|--:|"]
    # conv2 MACs: weights × 27·27 output positions
    assert lines[6] == (
        "| changed | conv2 | conv | 192×27×27 → 256×27×27 | 307,392 → 409,856 | "
        f"{5 * 5 * 64 * 192 * 27 * 27:,} → {5 * 5 * 64 * 256 * 27 * 27:,} |"
    )
    # 323,648 / 61,100,840 = 0.53%
    assert "| Parameters | 61,100,840 | 61,424,488 | +323,648 (+0.53%) |" in lines


def test_json(cli: Cli, spec_file: Write) -> None:
    data = json.loads(cli("diff", "alexnet-torchvision", str(spec_file(INSERTED)), "-f", "json").stdout)
    assert data["layers"] == [
        {
            "change": "added",
            "old": None,
            "new": {"name": "relu2", "type": "relu", "output_shape": [64, 27, 27], "params": 0, "macs": 0},
        }
    ]
    # 5 convs, 7 relus, 3 max pools, avgpool, flatten, 2 dropouts, 3 fcs = 22 rows
    assert data["totals"]["layers"] == {"old": 22, "new": 23, "change": 1, "relative": 1 / 22}
    assert data["old"]["name"] == data["new"]["name"] == "alexnet-torchvision"


def test_the_table(cli: Cli, spec_file: Write) -> None:
    result = cli("diff", "alexnet-torchvision", str(spec_file(INSERTED)))
    assert result.exit_code == 0
    assert "1 added, 0 removed, 0 changed, 22 unchanged" in result.stdout
    assert "│ added  │ relu2 │ relu │ 64×27×27 │      0 │    0 │" in result.stdout


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        pytest.param("params,macs", 1, id="params-grew"),
        pytest.param("non_trainable_params", 0, id="unchanged"),
        pytest.param("activations", 1, id="activations-grew"),
    ],
)
def test_fail_on_increase(cli: Cli, spec_file: Write, figures: str, status: int) -> None:
    result = cli("diff", "alexnet-torchvision", str(spec_file(WIDER)), "--fail-on-increase", figures)
    assert result.exit_code == status
    if status:
        assert "increased: +" in result.stderr


def test_a_decrease_is_no_failure(cli: Cli, spec_file: Write) -> None:
    result = cli("diff", str(spec_file(WIDER)), "alexnet-torchvision", "--fail-on-increase", "params,macs")
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("alexnet", "alexnet", "--fail-on-increase", "parms"), "unknown total 'parms'", id="figure"),
        pytest.param(("alexnet", "alexnett"), "unknown preset 'alexnett'", id="unknown-spec"),
        pytest.param(("-", "-"), "only one of OLD and NEW can be -", id="two-stdin"),
    ],
)
def test_diff_usage_errors(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli("diff", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_presets_by_prefix_and_standard_input(cli: Cli) -> None:
    result = cli("diff", "preset:alexnet-torchvision", "-", "-f", "json", input=INSERTED)
    assert result.exit_code == 0
    assert [c["change"] for c in json.loads(result.stdout)["layers"]] == ["added"]


# shape-preserving layers on [4, 16]: whatever the stack, inserting one of them changes no other row
KEEPS_SHAPE = [
    "relu",
    "batchnorm",
    {"conv": {"filters": 4, "kernel": 1}},
    {"conv": {"filters": 4, "kernel": 3, "padding": 1}},
    {"maxpool": {"kernel": 3, "stride": 1, "padding": 1}},
]


@given(
    st.lists(st.sampled_from(range(len(KEEPS_SHAPE))), min_size=1, max_size=30),
    st.sampled_from(range(len(KEEPS_SHAPE))),
    st.data(),
)
def test_one_insertion_anywhere_is_one_added_row(stack: list[int], extra: int, draw: st.DataObject) -> None:
    at = draw.draw(st.integers(min_value=0, max_value=len(stack)), label="position")
    layers = [KEEPS_SHAPE[i] for i in stack]
    old = cnncalc.from_dict({"name": "n", "input": [4, 16], "layers": layers})
    new = cnncalc.from_dict({"name": "n", "input": [4, 16], "layers": [*layers[:at], KEEPS_SHAPE[extra], *layers[at:]]})
    forward, backward = diff(old, new), diff(new, old)
    assert [c.change for c in forward.layers] == [Change.ADDED]
    assert [c.change for c in backward.layers] == [Change.REMOVED]
    assert forward.unchanged == backward.unchanged == len(stack)


# ------------------------------------------------------------------------- long specs (issue 13)


@pytest.fixture(scope="module")
def monkeypatch_cells() -> object:
    """No dynamic programming: every stretch goes through anchors and the linear fallback."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(diff_module, "MAX_CELLS", 0)
        yield


def _is_common_subsequence(pairs: list[tuple[int, int]], a: list[int], b: list[int]) -> bool:
    increasing = all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    return increasing and all(a[i] == b[j] for i, j in pairs)


@given(
    a=st.lists(st.integers(0, 5), max_size=60),
    b=st.lists(st.integers(0, 5), max_size=60),
)
def test_anchored_alignment_is_a_common_subsequence(a: list[int], b: list[int], monkeypatch_cells: None) -> None:
    """With no cells for dynamic programming, anchors and the fallback still match only equal rows, in order."""
    pairs = diff_module._matches(a, b)
    assert _is_common_subsequence(pairs, a, b)


def _no_equal_neighbours(values: list[int]) -> list[int]:
    """``values`` with each value that equals the one before it moved on by one (mod 4)."""
    out: list[int] = []
    for v in values:
        out.append((v + 1) % 4 if out and v == out[-1] else v)
        if len(out) > 1 and out[-1] == out[-2]:
            out[-1] = (out[-1] + 1) % 4
    return out


@given(
    base=st.lists(st.integers(0, 3), min_size=50, max_size=400).map(_no_equal_neighbours),
    edits=st.sets(st.integers(0, 39), max_size=8),
    data=st.data(),
)
def test_isolated_edits_are_aligned_exactly(
    base: list[int], edits: set[int], data: st.DataObject, monkeypatch_cells: None
) -> None:
    """Mostly equal sequences — every 10th position may be replaced, inserted or removed — are aligned with
    the fewest insertions and removals, as the exact algorithm would: one per edit, or two for a replacement.
    Periodic stretches (0, 3, 0, 3 …) are in; runs of equal rows are not: there the place of an edit is
    ambiguous to the bounded look-ahead (the other property covers them: a common subsequence still)."""
    assert all(x != y for x, y in itertools.pairwise(base))
    a, b = list(base), list(base)
    removed = 0
    for k in sorted((e * 10 for e in edits if e * 10 < len(base)), reverse=True):
        kind = data.draw(st.sampled_from(["replace", "insert", "remove"]))
        if kind == "replace":
            b[k] = 100 + k  # a signature seen nowhere else
            removed += 1
        elif kind == "insert":
            b.insert(k, 100 + k)
        else:
            del b[k]
            removed += 1
    pairs = diff_module._matches(a, b)
    assert _is_common_subsequence(pairs, a, b)
    assert len(pairs) == len(a) - removed


def test_a_removal_in_a_periodic_stretch_is_found(monkeypatch_cells: None) -> None:
    """conv, relu, conv, relu …: removing the first row makes both "skip one old row" and "skip one new row"
    agree for a few rows; only the first agrees all the way (hypothesis found the other chosen)."""
    a = [*([0, 3] * 12), 1, 2]
    b = [*a[1:20], 120, *a[21:]]
    pairs = diff_module._matches(a, b)
    assert _is_common_subsequence(pairs, a, b)
    assert len(pairs) == len(a) - 2  # a[0] removed, a[20] replaced by 120


def test_long_flat_specs_with_many_edits_are_aligned_row_by_row() -> None:
    """The issue's case: an edit every 7th layer of a long flat spec (quadratic before: 577 s at 10,000
    rows; `benchmarks/bench.py` measures it). Every edited conv is one changed row, every other row matches."""
    n = 3000
    old = {"name": "t", "input": [3, 8, 8], "layers": [{"conv": {"filters": 8, "kernel": 1}} for _ in range(n)]}
    new = {
        "name": "t",
        "input": [3, 8, 8],
        "layers": [{"conv": {"filters": 9 if i % 7 == 3 else 8, "kernel": 1}} for i in range(n)],
    }
    d = diff(cnncalc.from_dict(old), cnncalc.from_dict(new))
    edited_convs = len(range(3, n, 7))  # 429, the last at index 2,999: the last layer
    # each edited conv changes, and so does the conv after it (its input channels), but the last has none
    changed = 2 * edited_convs - 1
    assert [c.change for c in d.layers] == [Change.CHANGED] * changed
    assert d.unchanged == n - changed
