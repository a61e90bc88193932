"""Regenerate docs/img/googlenet-report.png, the README's picture of GoogLeNet's report.

    python docs/screenshot.py        # from the repository root; needs the `test` extra and Debian's chromium

The page is made by the same code as `cnncalc report googlenet`; the script opens the inception_3a block,
selects its 3×3 conv (so the panel shows the filter picture and derivation) and saves the window.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import cnncalc  # noqa: E402
from cnncalc.render.html import render_html  # noqa: E402
from cnncalc.render.layout import build  # noqa: E402
from tests.browser_support import start  # noqa: E402

OUT = ROOT / "docs" / "img" / "googlenet-report.png"


def main() -> None:
    report = cnncalc.analyze(cnncalc.preset("googlenet"))
    tree = build(report)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "googlenet.html"
        page.write_text(render_html(report), encoding="utf-8")
        browser = start(Path(folder) / "profile")
        try:
            browser.set_window_size(1280, 860)
            browser.get(page.as_uri())
            browser.find_element("id", tree.by_name["inception_3a"].id).click()
            conv = browser.find_element("id", tree.by_name["inception_3a/b2/3x3"].id)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", conv)
            conv.click()
            browser.execute_script("document.getElementById('graph-section').scrollIntoView()")
            png = browser.get_screenshot_as_png()
        finally:
            browser.quit()
    try:  # a palette PNG is a third of the size; without Pillow the browser's PNG is kept
        from PIL import Image

        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
        image.save(OUT, optimize=True)
    except ImportError:
        OUT.write_bytes(png)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1000} KB)")


if __name__ == "__main__":
    main()
