"""Pictures: --columns, --chart, and the graph as Graphviz DOT and Mermaid."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import cnncalc
from cnncalc.render.chart import bar
from cnncalc.render.columns import View
from cnncalc.render.graph import render_dot, render_mermaid

from .conftest import ROOT, Result
from .test_memory import INCEPTION, RESIDUAL


def edges_dot(text: str) -> set[tuple[str, str, str]]:
    return set(re.findall(r'^\s*(\w+) -> (\w+) \[label="([^"]*)"\];$', text, re.M))


def labels_dot(text: str) -> dict[str, str]:
    """Node id → first label line."""
    return dict(re.findall(r'^\s*(\w+) \[label="([^"\\]*)', text, re.M))


def named_edges(text: str) -> set[tuple[str, str, str]]:
    names = labels_dot(text)
    return {(names[a], names[b], shape) for a, b, shape in edges_dot(text)}


# ------------------------------------------------------------------------------------------------- DOT


def test_dot_shows_branches_and_shapes() -> None:
    text = render_dot(cnncalc.analyze(cnncalc.from_dict(INCEPTION)))
    # the input (8×4×4) forks into the three branches; the branch outputs join at the concat:
    # 2·4·4, 6·4·4 and 2·4·4 → (2 + 6 + 2)×4×4
    assert named_edges(text) == {
        ("input", "parallel1/b1/conv1", "8×4×4"),
        ("input", "parallel1/b2/conv1", "8×4×4"),
        ("parallel1/b2/conv1", "parallel1/b2/conv2", "4×4×4"),
        ("input", "parallel1/b3/maxpool1", "8×4×4"),
        ("parallel1/b3/maxpool1", "parallel1/b3/conv1", "8×4×4"),
        ("parallel1/b1/conv1", "parallel1/concat", "2×4×4"),
        ("parallel1/b2/conv2", "parallel1/concat", "6×4×4"),
        ("parallel1/b3/conv1", "parallel1/concat", "2×4×4"),
        ("parallel1/concat", "output", "10×4×4"),
    }
    assert 'subgraph cluster_box1 {\n    label="parallel1 (parallel)"' in text
    assert text.count("{") == text.count("}")


def test_dot_identity_branch_is_an_edge_to_the_merge() -> None:
    edges = named_edges(render_dot(cnncalc.analyze(cnncalc.from_dict(RESIDUAL))))
    assert ("input", "parallel1/add", "4×8×8") in edges  # the shortcut
    assert ("parallel1/b1/batchnorm2", "parallel1/add", "4×8×8") in edges


def test_dot_folds_blocks_at_depth() -> None:
    text = render_dot(cnncalc.analyze(cnncalc.preset("googlenet")), View(depth=0))
    edges = named_edges(text)
    # Szegedy et al. 2014, Table 1: 28×28×192 into inception (3a), 28×28×256 out of it, 28×28×480 out of (3b)
    assert ("pool2", "inception_3a", "192×28×28") in edges
    assert ("inception_3a", "inception_3b", "256×28×28") in edges
    assert ("inception_3b", "pool3", "480×28×28") in edges
    assert "cluster" not in text and "inception_3a/b1" not in text


def test_dot_every_edge_joins_declared_nodes() -> None:
    text = render_dot(cnncalc.analyze(cnncalc.load(ROOT / "specs" / "small-resnet.yaml")))
    declared = set(labels_dot(text))
    for a, b, _ in edges_dot(text):
        assert a in declared and b in declared
    rows = len(cnncalc.analyze(cnncalc.load(ROOT / "specs" / "small-resnet.yaml")).layers)
    assert len(declared) == rows + 2  # every row, the input and the output


# --------------------------------------------------------------------------------------------- Mermaid


def test_mermaid() -> None:
    text = render_mermaid(cnncalc.analyze(cnncalc.from_dict(INCEPTION)))
    assert text.startswith("flowchart TD\n")
    ids = dict(re.findall(r'^\s*(\w+)\[?\(?\["([^<"]*)', text, re.M))
    edges = {(ids[a], ids[b], s) for a, s, b in re.findall(r'^\s*(\w+) -->\|"([^"]*)"\| (\w+)$', text, re.M)}
    assert ("input", "parallel1/b3/maxpool1", "8×4×4") in edges
    assert ("parallel1/b2/conv2", "parallel1/concat", "6×4×4") in edges
    assert len(edges) == 9
    assert text.count("subgraph ") == text.count("\n  end") == 1


# --------------------------------------------------------------------------------------- CLI, columns


def test_graph_formats_through_the_cli(cli: Callable[..., Result]) -> None:
    dot = cli("preset", "seed-example", "-f", "dot")
    assert dot.exit_code == 0 and dot.stdout.startswith('digraph "seed-example" {')
    mermaid = cli("summarize", str(ROOT / "specs" / "small-resnet.yaml"), "-f", "mermaid", "--depth", "1")
    assert mermaid.exit_code == 0 and '"16×32×32"' in mermaid.stdout
    # the lists and the sweep have no graph: their --format does not offer one (issue 9)
    for args in (["presets"], ["sweep", "seed-example"]):
        refused = cli(*args, "-f", "mermaid")
        assert refused.exit_code == 2 and "Invalid value for '--format'" in refused.stderr
        assert "mermaid" not in cli(*args, "--help").stdout
    listing = cli("preset", "--list", "-f", "dot")
    assert listing.exit_code == 2 and "the preset list has no --format dot" in listing.stderr


@pytest.mark.parametrize(
    ("columns", "heading"),
    [
        pytest.param("+rf,+jump", "┃ Layer ┃ Type    ┃    Output ┃ Details", id="added"),
        pytest.param("layer,output,rf", "┃ Layer ┃    Output ┃  RF ┃", id="chosen"),
        pytest.param("+rf,-details,-share", "┃ Layer ┃ Type    ┃    Output ┃  Params ┃    MACs ┃  RF ┃", id="removed"),
    ],
)
def test_columns(cli: Callable[..., Result], columns: str, heading: str) -> None:
    result = cli("preset", "alexnet", "--columns", columns)
    assert result.exit_code == 0 and heading in result.stdout
    # conv5's receptive field (163) and pool5's (195), as computed in test_receptive
    conv5 = next(line for line in result.stdout.splitlines() if "│ conv5 " in line)
    assert "│ 163 │" in conv5


def test_columns_in_markdown_and_errors(cli: Callable[..., Result]) -> None:
    markdown = cli("preset", "alexnet", "--columns", "layer,rf,jump", "-f", "markdown").stdout
    assert "| Layer | RF | Jump |" in markdown and "| pool5 | 195 | 32 |" in markdown
    unknown = cli("preset", "alexnet", "--columns", "layer,receptive")
    assert (
        unknown.exit_code == 2 and "unknown column 'receptive'" in unknown.stderr and "rf (receptive" in unknown.stderr
    )
    assert cli("preset", "alexnet", "--columns", "rf", "-f", "json").exit_code == 2
    assert cli("preset", "alexnet", "--columns", "-layer,-type,-output,-details,-params,-macs,-share").exit_code == 2


# ----------------------------------------------------------------------------------------------- chart


@pytest.mark.parametrize(
    ("share", "width", "expected"),
    [
        pytest.param(0.5, 30, "█" * 15, id="half"),
        pytest.param(1.0, 4, "████", id="full"),
        pytest.param(1 / 16, 2, "▏", id="one-eighth-cell"),  # 1/16 · 2 cells = 1/8 cell
        pytest.param(0.3, 10, "███", id="whole-cells"),
        pytest.param(0.0, 10, "", id="nothing"),
    ],
)
def test_bar(share: float, width: int, expected: str) -> None:
    assert bar(share, width) == expected


def test_chart(cli: Callable[..., Result]) -> None:
    result = cli("preset", "alexnet", "--chart")
    assert result.exit_code == 0 and "Where the MACs and parameters go" in result.stdout
    chart = result.stdout.split("Where the MACs and parameters go")[1]
    fc6 = next(line for line in chart.splitlines() if line.strip().startswith("fc6"))
    # fc6 holds 256·6·6·4096 + 4096 = 37,752,832 of 60,965,224 parameters: 61.9%
    assert "37.75M 61.9%" in fc6
    assert "relu1" not in chart  # no MACs, no parameters: no bar
    bad = cli("preset", "alexnet", "--chart", "-f", "json")
    assert bad.exit_code == 2 and "--chart draws in the terminal" in bad.stderr


def test_readme_chart_figures() -> None:
    # docs/commands.md, Pictures: AlexNet's convs hold 92% of its MACs and 4% of its parameters, fc6 62% of the
    # parameters
    r = cnncalc.analyze(cnncalc.preset("alexnet"))
    convs = [row for row in r.layers if row.type == "conv"]
    assert round(100 * sum(r.mac_share(c) for c in convs)) == 92
    assert round(100 * sum(r.param_share(c) for c in convs)) == 4
    assert round(100 * r.param_share(r.find("fc6"))) == 62  # type: ignore[arg-type]
