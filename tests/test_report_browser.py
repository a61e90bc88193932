"""The HTML report in a real browser (headless Chromium, tests/browser_support.py): for every preset, each
table row has its node in the drawing, opening a block shows its layers where cnncalc's layout puts them,
selecting a conv shows its picture with the right numbers, and nothing is fetched from the network.
A screenshot of each page is kept under pytest's temporary directory."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc.loader import preset_names
from cnncalc.picture import picture
from cnncalc.render.html import edges_svg, render_html
from cnncalc.render.layout import Tree, build, place
from cnncalc.render.picture import window_text

from .browser_support import start
from .test_html_report import XSS


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("report-pages")


def open_page(browser: Any, folder: Path, name: str, report: cnncalc.Report) -> Path:
    path = folder / f"{name}.html"
    path.write_text(render_html(report), encoding="utf-8")
    browser.get_log("performance")  # drop what earlier pages logged
    browser.get(path.as_uri())
    return path


NETWORK = ("http:", "https:", "ws:", "wss:", "ftp:")


def fetched(browser: Any, page: Path) -> list[str]:
    """What went to the network, or what the page asked for besides itself: Chromium's network log (any
    request of any document over a network scheme, any request of the page but file://) and the page's
    resource timing (every resource it loaded after itself)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            params = message["params"]
            url = params["request"]["url"]
            if url.startswith(NETWORK) or (params.get("documentURL") == page.as_uri() and url != page.as_uri()):
                urls.append(url)
    urls += browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return urls


def click(browser: Any, css: str) -> Any:
    element = browser.find_element("css selector", css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", element)
    element.click()
    return element


def js_edges(browser: Any) -> list[str]:
    return list(
        browser.execute_script("return [...document.querySelectorAll('#edges path')].map(p => p.getAttribute('d'))")
    )


def python_edges(tree: Tree, expanded: frozenset[str]) -> list[str]:
    """The edges cnncalc draws for this state (the page's script must route them alike)."""
    return re.findall(r'<path class="edge" d="([^"]+)"', edges_svg(tree, place(tree, expanded), expanded))


def js_boxes(browser: Any) -> dict[str, tuple[int, int, int, int]]:
    boxes = browser.execute_script("return window.cnncalcReport.boxes()")
    return {k: tuple(v) for k, v in boxes.items()}


# each preset's first conv: its filter (k×k×C_in) and the MACs of one output value, k·k·C_in, from the papers
FIRST_CONV: dict[str, tuple[str, int]] = {
    "alexnet": ("11×11×3", 11 * 11 * 3),  # Krizhevsky et al. 2012: 96 kernels of 11×11×3
    "alexnet-torchvision": ("11×11×3", 11 * 11 * 3),  # torchvision: 64 kernels of 11×11×3
    "efficientnet_b0": ("3×3×3", 3 * 3 * 3),  # Tan & Le 2019, Table 1: Conv3×3 stem
    "googlenet": ("7×7×3", 7 * 7 * 3),  # Szegedy et al. 2014, Table 1: convolution 7×7/2
    "googlenet-aux": ("7×7×3", 7 * 7 * 3),
    "lenet5": ("5×5×1", 5 * 5 * 1),  # LeCun et al. 1998, C1: 5×5 on the 32×32 grey input
    "mobilenet_v1": ("3×3×3", 3 * 3 * 3),  # Howard et al. 2017, Table 1: Conv / s2, 3×3×3×32
    "mobilenet_v2": ("3×3×3", 3 * 3 * 3),  # Sandler et al. 2018, Table 2: conv2d 3×3 stem
    "mobilenet_v3_small": ("3×3×3", 3 * 3 * 3),  # Howard et al. 2019, Table 2: conv2d 3×3 stem
    "resnet18": ("7×7×3", 7 * 7 * 3),  # He et al. 2015, Table 1: conv1 7×7, 64, stride 2
    "resnet50": ("7×7×3", 7 * 7 * 3),
    "seed-example": ("3×3×1", 3 * 3 * 1),  # the seed: 32 filters of 3×3 on a 1×28×28 grey image
    "squeezenet1_0": ("7×7×3", 7 * 7 * 3),  # Iandola et al. 2016, Table 1: conv1 7×7/2 (×96)
    "vgg11": ("3×3×3", 3 * 3 * 3),  # Simonyan & Zisserman 2014, Table 1: conv3-64
    "vgg16": ("3×3×3", 3 * 3 * 3),
    "convnext_tiny": ("4×4×3", 4 * 4 * 3),  # Liu et al. 2022, Table 9: stem 4×4, 96, stride 4 ("patchify")
    "densenet121": ("7×7×3", 7 * 7 * 3),  # Huang et al. 2017, Table 1: 7×7 conv, stride 2
    "fpn-resnet50": ("7×7×3", 7 * 7 * 3),  # Lin et al. 2017 build FPN on ResNet-50 (He et al. 2015, Table 1)
    "shufflenet_v2_x1_0": ("3×3×3", 3 * 3 * 3),  # Ma et al. 2018, Table 5: Conv1 3×3, 24, stride 2
    "unet": ("3×3×1", 3 * 3 * 1),  # Ronneberger et al. 2015, Fig. 1: conv 3×3 on the 572×572 one-channel tile
    "yolov3-tiny": ("3×3×3", 3 * 3 * 3),  # darknet's yolov3-tiny.cfg: the first [convolutional], size=3, 16
}


def shown(item: Any, opened: set[str]) -> Iterator[Any]:
    """What opening ``item`` shows: its layers, and each block nested in it that is still folded, as one box."""
    for child in item.children:
        if child.collapsible and child.id not in opened:
            yield child
            continue
        if child.kind.value == "node":
            yield child
        yield from shown(child, opened)


def test_every_preset_has_its_first_conv_listed() -> None:
    assert set(FIRST_CONV) == set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_preset_page(name: str, browser: Any, pages: Path) -> None:
    report = cnncalc.analyze(cnncalc.preset(name))
    path = open_page(browser, pages, name, report)
    tree = build(report)

    # every row of the table has its node in the drawing, under the row's name
    missing = browser.execute_script(
        """return [...document.querySelectorAll('tr[data-id]')].filter(r => {
             const node = document.querySelector('#graph .node#' + r.dataset.id);
             return !node || node.dataset.name !== r.cells[1].textContent;
           }).map(r => r.cells[1].textContent);"""
    )
    assert missing == []
    assert len(browser.find_elements("css selector", "tr[data-id]")) == len(report.layers)

    # opening a folded block shows its layers, placed as cnncalc.render.layout.place places them
    folded = [i for i in tree.items.values() if i.collapsible and i.id not in tree.initially_expanded()]
    if folded:
        block = folded[0]
        click(browser, f"#{block.id}")
        opened = tree.initially_expanded() | {block.id}
        inside = list(shown(block, opened))  # a block nested in it (a repeat's instances) stays folded
        assert inside and all(browser.find_element("id", i.id).is_displayed() for i in inside[:5])
        assert browser.find_element("id", f"f{block.id}").is_displayed()
        expected = place(tree, opened)
        assert js_boxes(browser) == {k: (b.x, b.y, b.w, b.h) for k, b in expected.boxes.items()}
        assert js_edges(browser) == python_edges(tree, opened)

    # selecting a conv (through its table row's link) shows its picture with its numbers
    conv = next((row for row in report.layers if row.type == "conv"), None)
    if conv is not None:
        pic = picture(conv)
        assert pic is not None
        node_id = tree.by_name[conv.name].id
        click(browser, f'tr[data-id="{node_id}"] a')
        panel = browser.find_element("id", "details")
        assert panel.get_attribute("data-node") == node_id
        assert "sel" in (browser.find_element("id", node_id).get_attribute("class") or "")
        drawing = panel.find_element("css selector", "svg.picture")
        text = drawing.text if drawing.text else browser.execute_script("return arguments[0].textContent", drawing)
        assert window_text(pic) in text
        window, macs = FIRST_CONV[name]
        assert f"1 filter: {window}" in text and f"each output value: {macs:,} MACs" in text
        assert f"{conv.macs:,}" in panel.text  # the MACs line of the derivation

    shot = path.with_suffix(".png")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 0
    assert fetched(browser, path) == []


def test_keyboard_opens_and_selects(browser: Any, pages: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    report = cnncalc.analyze(cnncalc.preset("resnet18"))
    open_page(browser, pages, "keyboard", report)
    tree = build(report)
    block = tree.by_name["layer1_0"]
    node = browser.find_element("id", block.id)
    assert node.get_attribute("tabindex") == "0" and node.get_attribute("aria-expanded") == "false"
    browser.execute_script("arguments[0].focus()", node)
    node.send_keys(Keys.ENTER)
    assert browser.find_element("id", f"f{block.id}").is_displayed()

    # focus is on the open block's title; Tab goes on in reading order: the parallel's title, its first conv
    def focused() -> str:
        return str(browser.execute_script("return document.activeElement.id"))

    assert focused() == f"l{block.id}"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert focused() == f"l{tree.by_name['layer1_0/residual'].id}"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert focused() == tree.by_name["layer1_0/residual/b1/conv1"].id
    conv = browser.find_element("id", tree.by_name["layer1_0/residual/b1/conv1"].id)
    browser.execute_script("arguments[0].focus()", conv)
    conv.send_keys(Keys.SPACE)
    assert browser.find_element("id", "details").get_attribute("data-node") == conv.get_attribute("id")
    # the frame's title folds the block again
    label = browser.find_element("css selector", f'[data-fold="{block.id}"]')
    browser.execute_script("arguments[0].focus()", label)
    label.send_keys(Keys.ENTER)
    assert not browser.find_element("id", f"f{block.id}").is_displayed()
    assert browser.find_element("id", block.id).is_displayed()


def test_table_sorts_by_any_column(browser: Any, pages: Path) -> None:
    report = cnncalc.analyze(cnncalc.preset("alexnet"))
    open_page(browser, pages, "sort", report)
    click(browser, "th button[data-col='7']")  # MACs, ascending then descending
    click(browser, "th button[data-col='7']")
    first = browser.find_element("css selector", "table.layers tbody tr").text
    biggest = max(report.layers, key=lambda r: r.macs)  # conv2 of Caffe's AlexNet: 223,948,800 MACs
    assert first.split()[1] == biggest.name
    click(browser, "th button[data-col='2']")  # by type, ascending
    types = browser.execute_script("return [...document.querySelectorAll('tbody tr')].map(r => r.cells[2].textContent)")
    assert types == sorted(r.type for r in report.layers)
    click(browser, "th button[data-col='0']")  # back to execution order
    names = browser.execute_script("return [...document.querySelectorAll('tbody tr')].map(r => r.cells[1].textContent)")
    assert names == [r.name for r in report.layers]


def test_script_in_a_name_stays_text(browser: Any, pages: Path) -> None:
    report = cnncalc.analyze(
        cnncalc.from_dict({"name": XSS, "input": [3, 8, 8], "layers": [{"conv": {"filters": 2, "kernel": 3}}]})
    )
    open_page(browser, pages, "xss", report)
    assert browser.find_element("tag name", "h1").text == XSS
    assert browser.execute_script("return document.querySelectorAll('script').length") == 2
    assert browser.title.startswith(XSS)


def test_warning_link_reveals_its_node(browser: Any, pages: Path) -> None:
    spec = {
        "name": "warned",
        "input": [1, 9, 9],
        "blocks": {"down": {"layers": [{"conv": {"filters": 2, "kernel": 2, "stride": 2}}]}},
        "layers": [{"down": {}}],
    }
    report = cnncalc.analyze(cnncalc.from_dict(spec))
    assert report.warnings and report.warnings[0].layer is not None
    open_page(browser, pages, "warned", report)
    target = build(report).by_name[report.warnings[0].layer]
    assert not browser.find_element("id", target.id).is_displayed()  # inside the folded block
    click(browser, f'#warnings a[data-go="{target.id}"]')
    assert browser.find_element("id", target.id).is_displayed()
    assert browser.find_element("id", "details").get_attribute("data-node") == target.id


def test_dark_and_print(browser: Any, pages: Path) -> None:
    open_page(browser, pages, "media", cnncalc.analyze(cnncalc.preset("lenet5")))

    def background() -> str:
        return str(browser.execute_script("return getComputedStyle(document.body).backgroundColor"))

    light = background()
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    assert background() != light
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element("id", "details").is_displayed()
    assert background() == light  # print is black on white whatever the screen
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_the_network_check_sees_a_fetch(browser: Any, pages: Path) -> None:
    """The check above would catch a page that fetched something (here an image from a closed port)."""
    path = pages / "fetching.html"
    path.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png" alt="">', encoding="utf-8")
    browser.get_log("performance")
    browser.get(path.as_uri())
    assert "http://127.0.0.1:9/x.png" in fetched(browser, path)


def test_a_thousand_rows(browser: Any, pages: Path) -> None:
    """1,000 rows (a repeat of 250 copies of conv → batchnorm → relu → conv): one node at first; a layer
    deep inside, reached from the table, opens where cnncalc's layout puts it."""
    unit = [
        {"conv": {"filters": 8, "kernel": 3, "padding": 1}},
        "batchnorm",
        "relu",
        {"conv": {"filters": 8, "kernel": 1}},
    ]
    spec = {"name": "thousand", "input": [8, 16, 16], "layers": [{"repeat": {"times": 250, "layers": unit}}]}
    report = cnncalc.analyze(cnncalc.from_dict(spec))
    assert len(report.layers) == 4 * 250
    open_page(browser, pages, "thousand", report)
    tree = build(report)
    shown = browser.execute_script("return [...document.querySelectorAll('#nodes .node:not([display])')].length")
    assert shown == 3  # input, the folded repeat, output
    deep = tree.by_name["repeat1/200/conv2"]
    click(browser, f'tr[data-id="{deep.id}"] a')
    assert browser.find_element("id", deep.id).is_displayed()
    opened = {tree.by_name["repeat1"].id, tree.by_name["repeat1/200"].id}
    expected = place(tree, tree.initially_expanded() | opened)
    assert js_boxes(browser) == {k: (b.x, b.y, b.w, b.h) for k, b in expected.boxes.items()}
    assert js_edges(browser) == python_edges(tree, tree.initially_expanded() | opened)
