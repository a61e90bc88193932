"""`cnncalc report` and `explain --format html` without a browser: the layout's arithmetic, the picture's
figures, escaping, self-containment and the command line. tests/test_report_browser.py drives the page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.picture import Mode, picture
from cnncalc.render.html import render_html
from cnncalc.render.layout import (
    H_GAP,
    LABEL_H,
    LANES,
    MARGIN,
    NODE_H,
    NODE_W,
    PAD,
    V_GAP,
    Box,
    Kind,
    build,
    drawn_nodes,
    place,
    route,
    visible_edges,
)

from .conftest import Result
from .random_networks import network
from .test_memory import INCEPTION, RESIDUAL

XSS = "<script>alert(1)</script>"

# ------------------------------------------------------------------------------------------------ layout


def test_residual_layout_arithmetic() -> None:
    """The residual block: the branch stacked, the identity a narrow column beside it, the add below."""
    tree = build(cnncalc.analyze(cnncalc.from_dict(RESIDUAL)))
    placed = place(tree, tree.initially_expanded())
    box = {name: placed.boxes[item.id] for name, item in tree.by_name.items()}
    branch_h = 5 * NODE_H + 4 * V_GAP  # conv, batchnorm, relu, conv, batchnorm
    row_w = NODE_W + H_GAP + 28  # the branch beside the empty branch's column
    frame_w = row_w + 2 * PAD
    frame_h = branch_h + V_GAP + NODE_H + 2 * PAD + LABEL_H  # the branches, then the add
    width = frame_w  # the widest item of the network
    centred = MARGIN + (width - NODE_W) // 2
    assert box["input"] == Box(centred, MARGIN, NODE_W, NODE_H)
    assert box["parallel1"] == Box(MARGIN, MARGIN + NODE_H + V_GAP, frame_w, frame_h)
    inner_x, inner_y = MARGIN + PAD, MARGIN + NODE_H + V_GAP + PAD + LABEL_H
    assert box["parallel1/b1/conv1"] == Box(inner_x, inner_y, NODE_W, NODE_H)
    assert box["parallel1/b1/batchnorm2"] == Box(inner_x, inner_y + 4 * (NODE_H + V_GAP), NODE_W, NODE_H)
    assert box["parallel1/b2"] == Box(inner_x + NODE_W + H_GAP, inner_y, 28, branch_h)
    assert tree.by_name["parallel1/b2"].kind is Kind.gap
    assert box["parallel1/add"] == Box(inner_x + (row_w - NODE_W) // 2, inner_y + branch_h + V_GAP, NODE_W, NODE_H)
    relu_y = MARGIN + NODE_H + V_GAP + frame_h + V_GAP
    assert box["relu1"] == Box(centred, relu_y, NODE_W, NODE_H)
    assert box["output"] == Box(centred, relu_y + NODE_H + V_GAP, NODE_W, NODE_H)
    height = relu_y + 2 * (NODE_H + V_GAP) - V_GAP + MARGIN
    assert (placed.width, placed.height) == (width + 2 * MARGIN + LANES, height)  # lanes: room for routed edges
    # the shortcut runs down the empty branch's column
    shortcut = [e for e in tree.edges if e.target == "parallel1/add" and e.source == "input"]
    assert [e.via for e in shortcut] == [tree.by_name["parallel1/b2"].id]


def test_inception_branches_side_by_side() -> None:
    tree = build(cnncalc.analyze(cnncalc.from_dict(INCEPTION)))
    boxes = place(tree, tree.initially_expanded()).boxes
    firsts = [boxes[tree.by_name[f"parallel1/{b}"].id] for b in ("b1/conv1", "b2/conv1", "b3/maxpool1")]
    assert len({b.y for b in firsts}) == 1  # one row
    assert [b.x for b in firsts] == sorted(b.x for b in firsts)
    assert firsts[1].x - firsts[0].x == NODE_W + H_GAP
    concat = boxes[tree.by_name["parallel1/concat"].id]
    assert concat.y == firsts[0].y + 2 * NODE_H + V_GAP + V_GAP  # below the longest branch (two layers)


def test_blocks_start_folded_and_open_in_place() -> None:
    """GoogLeNet: every inception block is one node until opened; opening one moves only what follows."""
    tree = build(_report("googlenet"))
    start = tree.initially_expanded()
    folded = place(tree, start)
    block = tree.by_name["inception_3a"]
    assert block.collapsible and block.id not in start and block.kind is Kind.par
    assert tree.by_name["inception_3a/b1/1x1"].id not in folded.boxes
    opened = place(tree, start | {block.id})
    assert tree.by_name["inception_3a/b1/1x1"].id in opened.boxes
    before, after = folded.boxes[tree.by_name["pool2"].id], opened.boxes[tree.by_name["pool2"].id]
    assert before.y == after.y  # above the block: unmoved
    moved = opened.boxes[block.id].h - NODE_H
    assert opened.boxes[tree.by_name["pool3"].id].y == folded.boxes[tree.by_name["pool3"].id].y + moved


def _report(name: str) -> cnncalc.Report:
    return cnncalc.analyze(cnncalc.preset(name))


# ----------------------------------------------------------------------------------------------- picture


@pytest.mark.parametrize(
    ("preset", "layer", "mode", "window", "depth", "macs_per_output"),
    [
        # the seed's second conv: 64 filters of 5×5×32 (Netscope's conv2 of the question), 5·5·32 MACs each
        pytest.param("seed-example", "conv2", Mode.conv, (5, 5), 32, 5 * 5 * 32, id="seed-conv2"),
        # AlexNet (Caffe bvlc_alexnet) conv2: group 2, so each 5×5 filter spans 96 / 2 = 48 channels
        pytest.param("alexnet", "conv2", Mode.conv, (5, 5), 96 // 2, 5 * 5 * 48, id="alexnet-conv2-groups"),
        # GoogLeNet inception_3a/b1/1x1: 1×1×192 mixing the 192 channels (Szegedy et al., Table 1)
        pytest.param("googlenet", "inception_3a/b1/1x1", Mode.pointwise, (1, 1), 192, 192, id="pointwise"),
        # MobileNet v1 conv_dw_1: 3×3 depthwise over 32 channels (Howard et al., Table 1): one channel each
        pytest.param("mobilenet_v1", "sep1/dw", Mode.depthwise, (3, 3), 1, 3 * 3, id="depthwise"),
        # AlexNet pool1: 3×3 max per map (Caffe bvlc_alexnet)
        pytest.param("alexnet", "pool1", Mode.pool, (3, 3), 1, 0, id="maxpool"),
    ],
)
def test_picture_figures(
    preset: str, layer: str, mode: Mode, window: tuple[int, ...], depth: int, macs_per_output: int
) -> None:
    report = _report(preset)
    row = next(r for r in report.layers if r.name == layer)
    pic = picture(row)
    assert pic is not None
    assert (pic.mode, pic.window, pic.depth, pic.macs_per_output) == (mode, window, depth, macs_per_output)
    assert pic.input_shape == row.input_shape and pic.output_shape == row.output_shape


def test_no_picture_for_other_kinds() -> None:
    report = _report("alexnet")
    assert picture(next(r for r in report.layers if r.type == "relu")) is None
    assert picture(next(r for r in report.layers if r.type == "fc")) is None


# ------------------------------------------------------------------------------------------------ page


@pytest.fixture(scope="module")
def googlenet_page() -> str:
    return render_html(_report("googlenet"))


def test_every_row_has_a_node_and_details(googlenet_page: str) -> None:
    report = _report("googlenet")
    names = set(re.findall(r'<g class="node[^"]*" id="(g\d+)" data-name="([^"]*)"', googlenet_page))
    assert {n for _, n in names} >= {row.name for row in report.layers}
    for node_id, _ in names:
        if node_id != "g1":
            assert f'<template id="t{node_id}">' in googlenet_page or node_id in googlenet_page


def test_self_contained(googlenet_page: str) -> None:
    """Nothing to fetch: no element loads anything, links stay on the page, no CSS import or url()."""
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source)\b", googlenet_page)
    assert re.findall(r'\b(?:src|href)="([^"#][^"]*)"', googlenet_page) == []
    assert "@import" not in googlenet_page and "url(" not in googlenet_page
    # the only address is the SVG namespace, which names and never loads
    assert set(re.findall(r"https?://[^\s\"'<>]+", googlenet_page)) <= {"http://www.w3.org/2000/svg"}


def test_googlenet_page_stays_small(googlenet_page: str) -> None:
    """The README and docs/report.md state this size (to the KB, ±10 as the code changes); keep them in step."""
    size = len(googlenet_page.encode())
    root = Path(__file__).resolve().parents[1]
    for doc in (root / "README.md", root / "docs" / "report.md"):
        stated = re.search(r"GoogLeNet's page is about (\d+) KB", doc.read_text(encoding="utf-8"))
        assert stated is not None, doc
        assert abs(size / 1000 - int(stated.group(1))) <= 10, (doc, size)
    assert size < 600_000


@pytest.mark.parametrize(("preset", "nodes"), [("googlenet", 27), ("resnet50", 16)])
def test_first_view_is_short(preset: str, nodes: int) -> None:
    """docs/report.md: GoogLeNet opens as 27 nodes, ResNet-50 as 16 (input, output and folded blocks)."""
    tree = build(_report(preset))
    start = tree.initially_expanded()
    placed = place(tree, start)
    drawn = [
        i
        for i in tree.items.values()
        if i.id in placed.boxes and (i.kind is Kind.node or (i.collapsible and i.id not in start))
    ]
    assert len(drawn) == nodes


def test_spec_text_is_escaped(spec_file: Callable[..., Path], cli: Callable[..., Result]) -> None:
    path = spec_file(
        f"name: '{XSS}'\ndescription: 'a & b \"quoted\" <b>bold</b>'\ninput: [3, 8, 8]\n"
        "layers:\n  - conv: {filters: 4, kernel: 3}\n"
    )
    page = cli("report", str(path)).stdout
    assert XSS not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 2  # the layout data and the page's own script
    explained = cli("explain", str(path), "--format", "html").stdout
    assert XSS not in explained and "&lt;script&gt;" in explained


def test_warnings_link_to_their_node(spec_file: Callable[..., Path], cli: Callable[..., Result]) -> None:
    # 7 − 2 = 5 is not a multiple of the stride 2: the last column and row are never read
    path = spec_file("name: w\ninput: [1, 7, 7]\nlayers:\n  - conv: {filters: 2, kernel: 2, stride: 2}\n")
    page = cli("report", str(path)).stdout
    node = re.search(r'id="(g\d+)" data-name="conv1"', page)
    assert node is not None
    warnings = page[page.index('<section id="warnings">') :]
    assert f'<a href="#{node.group(1)}" data-go="{node.group(1)}">conv1</a>' in warnings


# -------------------------------------------------------------------------------------------------- CLI


def test_report_to_stdout_without_output(cli: Callable[..., Result]) -> None:
    result = cli("report", "seed-example")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_report_writes_and_refuses_to_overwrite(tmp_path: Path, cli: Callable[..., Result]) -> None:
    target = tmp_path / "net.html"
    wrote = cli("report", "seed-example", "-o", str(target))
    assert wrote.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    size = len(target.read_text(encoding="utf-8").encode())
    assert wrote.stdout == f"wrote {target} ({size / 1000:,.0f} KB)\n"  # the page is not on stdout
    target.write_text("mine", encoding="utf-8")
    refused = cli("report", "seed-example", "-o", str(target))
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine"
    assert cli("report", "seed-example", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--force",), "--force applies to the file named with --output", id="force-without-output"),
        pytest.param(("-o", "."), "is a directory", id="output-is-a-directory"),
    ],
)
def test_report_usage_errors(args: tuple[str, ...], message: str, cli: Callable[..., Result]) -> None:
    result = cli("report", "seed-example", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_report_bad_spec_is_exit_2(spec_file: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = cli("report", str(spec_file("name: x\ninput: [3, 8, 8]\nlayers:\n  - conv: {kernel: 3}\n")))
    assert result.exit_code == 2 and "filters" in result.stderr


def test_explain_html_draws_the_seed(cli: Callable[..., Result]) -> None:
    page = cli("explain", "seed-example", "--layer", "conv2", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    # conv2 of the seed: 32×28×28 in, 64 filters of 5×5×32, 64×28×28 out, 5·5·32 = 800 MACs per output value
    assert "input 32×28×28" in page
    assert "1 filter: 5×5×32, spans all 32 input channels" in page
    assert "output 64×28×28: 64 maps, one per filter" in page
    assert "each output value: 800 MACs" in page
    assert "<td>weights</td><td>k_h·k_w·C_in·C_out</td><td>5·5·32·64</td>" in page


def test_layer_html(cli: Callable[..., Result]) -> None:
    page = cli("layer", "conv", "-i", "16x8x8", "--filters", "4", "--kernel", "1", "-f", "html").stdout
    assert 'data-mode="pointwise"' in page and "mixes all 16 channels at one position" in page


# ------------------------------------------------------------------------------------------- properties


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@settings(max_examples=40)
@given(network(), st.data())
def test_layout_never_overlaps(spec: dict[str, Any], data: st.DataObject) -> None:
    """Whatever is open: drawn nodes never overlap, everything lies inside its frame, edges join drawn nodes,
    and each conv picture's filter spans C_in / groups channels."""
    report = cnncalc.analyze(cnncalc.from_dict(spec))
    tree = build(report)
    modules = sorted(i.id for i in tree.items.values() if i.collapsible)
    expanded = frozenset(data.draw(st.lists(st.sampled_from(modules), unique=True)) if modules else [])
    placed = place(tree, expanded)
    drawn = [
        placed.boxes[i.id]
        for i in tree.items.values()
        if i.id in placed.boxes and (i.kind is Kind.node or (i.collapsible and i.id not in expanded))
    ]
    assert not any(_overlap(a, b) for n, a in enumerate(drawn) for b in drawn[n + 1 :])
    for item in tree.items.values():
        frame = item.parent
        while frame is not None and not frame.collapsible:
            frame = frame.parent
        if item.id in placed.boxes and frame is not None:
            inner, outer = placed.boxes[item.id], placed.boxes[frame.id]
            assert outer.x <= inner.x and inner.x + inner.w <= outer.x + outer.w
            assert outer.y <= inner.y and inner.y + inner.h <= outer.y + outer.h
    for a, b, _, _ in visible_edges(tree, placed, expanded):
        assert a in placed.boxes and b in placed.boxes
    for row in report.layers:
        pic = picture(row)
        if pic is not None and pic.mode is not Mode.pool:
            assert pic.depth * pic.groups == row.input_shape[0]
    assert render_html(report).count('<template id="t') == len(report.order)


@pytest.mark.parametrize("command", [("report", "alexnet"), ("explain", "alexnet", "--format", "html")])
def test_ids_are_unique(command: tuple[str, ...], cli: Callable[..., Result]) -> None:
    """Outside the (inert) templates every id is used once, so labels and links find their element."""
    page = re.sub(r"<template.*?</template>", "", cli(*command).stdout, flags=re.S)
    ids = re.findall(r'(?<![\w-])id="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_an_edge_over_a_stack_goes_around_it() -> None:
    """googlenet-aux: the side output loss1 (a folded block after inception_4a) reaches its output node
    at the bottom past every later node, so it leaves loss1's right side and runs down a lane."""
    report = _report("googlenet-aux")
    tree = build(report)
    start = tree.initially_expanded()
    placed = place(tree, start)
    nodes = drawn_nodes(tree, placed, start)
    loss1, out = placed.boxes[tree.by_name["loss1"].id], placed.boxes[tree.by_name["output: loss1"].id]
    way = route(loss1, out, None, nodes, 0)
    assert way.around and way.path.startswith(f"M{loss1.x + loss1.w},")
    lane = int(way.path.split(" ")[1].removeprefix("C").split(",")[0])
    between = [n for n in nodes if loss1.y + loss1.h <= n.y and n.y + n.h <= out.y]
    assert between and lane > max(n.x + n.w for n in between)  # right of every node it passes
    # an edge between neighbours is a plain curve
    pool4 = placed.boxes[tree.by_name["pool4"].id]
    assert not route(pool4, placed.boxes[tree.by_name["inception_5a"].id], None, nodes, 0).around


def test_readme_screenshot_is_committed_and_small() -> None:
    """The README shows GoogLeNet's report; docs/screenshot.py makes it with this code (kept small)."""
    root = Path(__file__).resolve().parents[1]
    image = root / "docs" / "img" / "googlenet-report.png"
    assert image.read_bytes().startswith(b"\x89PNG") and image.stat().st_size < 100_000
    assert "docs/img/googlenet-report.png" in (root / "README.md").read_text(encoding="utf-8")
    assert "python docs/screenshot.py" in (root / "docs" / "report.md").read_text(encoding="utf-8")


def test_a_grey_input_has_one_channel_to_span(cli: Callable[..., Result]) -> None:
    # the seed's conv1: 32 filters of 3×3 on the 1×28×28 grey image, 3·3·1 = 9 MACs per output value
    page = cli("explain", "seed-example", "--layer", "conv1", "--format", "html").stdout
    assert "1 filter: 3×3×1, spans the one input channel" in page and "each output value: 9 MACs" in page


@pytest.mark.parametrize(
    ("depth", "opened"),
    [
        pytest.param(None, set(), id="default-blocks-folded"),  # GoogLeNet's parallels are its blocks' bodies
        pytest.param("0", set(), id="depth-0-all-folded"),
        pytest.param("1", {"inception_3a", "inception_5b"}, id="depth-1-blocks-open"),
    ],
)
def test_depth_opens_modules(depth: str | None, opened: set[str], cli: Callable[..., Result]) -> None:
    page = cli("report", "googlenet", *(("--depth", depth) if depth else ())).stdout
    tree = build(_report("googlenet"))
    expanded = set(json.loads(re.search(r"data-expanded='([^']*)'", page).group(1)))  # type: ignore[union-attr]
    assert {tree.by_name[name].id for name in opened} <= expanded
    if not opened:
        assert expanded == set()


def test_summarize_and_preset_write_the_page_too(cli: Callable[..., Result]) -> None:
    """--format html of summarize and preset is the report page (the renderer registry's html)."""
    assert cli("preset", "seed-example", "--format", "html").stdout == cli("report", "seed-example").stdout


def test_references_are_edges_around_the_stack() -> None:
    """docs/examples/fpn-toy.yaml (issue 10's `from:`): lat4 reads c4 past c5, p5 and upsample1, so that
    edge leaves c4's side and runs down a lane; p4 adds upsample1 and lat4; p5 is a second output."""
    report = cnncalc.analyze(cnncalc.load(Path(__file__).resolve().parents[1] / "docs" / "examples" / "fpn-toy.yaml"))
    tree = build(report)
    start = tree.initially_expanded()
    placed = place(tree, start)
    nodes = drawn_nodes(tree, placed, start)
    ids = {name: tree.by_name[name].id for name in ("c4", "lat4", "upsample1", "p4", "p5")}
    pairs = {(a, b) for a, b, _, _ in visible_edges(tree, placed, start)}
    assert {(ids["c4"], ids["lat4"]), (ids["upsample1"], ids["p4"]), (ids["lat4"], ids["p4"])} <= pairs
    assert (ids["upsample1"], ids["lat4"]) not in pairs  # lat4 reads c4, not the row above it
    c4, lat4 = placed.boxes[ids["c4"]], placed.boxes[ids["lat4"]]
    assert route(c4, lat4, None, nodes, 0).around
    assert "output: p5" in tree.outputs


HOSTILE_SPEC = """\
name: "x</script><script>alert(0)</script>"
description: "<img src=x onerror=alert(1)>"
source: "<a href='javascript:alert(2)'>src</a> \\"'&"
input: [1, 7, 7]
blocks:
  blk:
    description: "<svg onload=alert(4)>"
    layers: [conv: {filters: 2, kernel: 2, stride: 2, name: "c\\"onmouseover=\\"alert(5)"}]
layers:
  - blk: {name: "<script>alert(3)"}
  - relu: {name: "r'onclick='alert(6)<b>x", from: "<script>alert(3)"}
  - relu: {name: "]]><svg>alert(7)<!--"}
checks:
  max_params: 1
"""
PAYLOADS = [
    "<script>alert(0)",
    "<img src=x",
    "<a href='javascript",
    "<script>alert(3)",
    "<svg onload",
    '"onmouseover="',
    "'onclick='",
    "<b>x",
    "]]><svg>",
    "<!--",
]


@pytest.mark.parametrize(
    "args", [("report",), ("summarize", "-f", "html"), ("explain", "-f", "html")], ids=["report", "html", "explain"]
)
def test_every_piece_of_spec_text_is_escaped(
    spec_file: Callable[..., Path], cli: Callable[..., Result], args: tuple[str, ...]
) -> None:
    """Issue 13: names of layers and block instances (quotes close an attribute without a space), a `from:`
    reference, the source, a block's description, a warning naming a layer: none reaches the page as markup."""
    path = spec_file(HOSTILE_SPEC)
    result = cli(args[0], str(path), *args[1:])
    assert result.exit_code == 0, result
    page = result.stdout
    assert [p for p in PAYLOADS if p in page] == []
    assert page.count("<script") == (0 if args[0] == "explain" else 2)  # the layout data and the page's script
    assert "&lt;script&gt;alert(3)" in page and "c&quot;onmouseover=&quot;alert(5)" in page
