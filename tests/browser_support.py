"""A headless Chromium driven through selenium, for the HTML report's tests and its README screenshot.

Debian's ``chromium`` and ``chromium-driver`` packages are used (``.ci/run`` installs them when missing).
Without a browser the tests skip with the reason — unless ``CI`` is set, where they must run (as the
PyTorch tests do, tests/torch_support.py). The flags keep Chromium off the network: no background
services, updates, sync or QUIC, and a fresh profile per run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .torch_support import need

FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--window-size=1400,1000",
)


def _binary(env: str, *names: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    return None


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"CI runs the browser tests: {reason}")
    pytest.skip(reason)


def start(profile: Path | None = None) -> Any:
    """A headless Chromium with performance (network) logging; the caller quits it."""
    if os.environ.get("CI"):
        need("selenium")
    else:
        pytest.importorskip("selenium", reason="selenium is in the `test` extra")
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    chromium = _binary("CNNCALC_CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver_path = _binary("CNNCALC_CHROMEDRIVER", "chromedriver")
    if chromium is None or driver_path is None:
        unavailable("no chromium or chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium or ""
    for flag in FLAGS:
        options.add_argument(flag)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    options.add_argument(f"--user-data-dir={profile or tempfile.mkdtemp(prefix='cnncalc-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        return webdriver.Chrome(options=options, service=Service(driver_path or ""))
    except WebDriverException as exc:
        unavailable(f"chromium did not start: {exc.msg or exc}")
        raise
