"""Debian's chromium under Playwright, and screenshots small enough to commit."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, Playwright

__all__ = ["CHROMIUM", "VIEWPORT", "launch", "save_screenshot"]

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}
# No sandbox (CI runs as root), and none of chromium's own network traffic: the machine has
# no internet, and its connection attempts only slow the browser down.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def launch(playwright: Playwright) -> Iterator[Browser]:
    """Headless chromium from the system, no browser download."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


def save_screenshot(page: Page, path: Path) -> None:
    """A screenshot of the viewport as a 256-colour PNG (a fifth of the size, same look)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
