"""A real headless Chromium for page tests: Debian's `chromium`, driven by Playwright for Python.

Playwright's own browser download is never used: the executable is BRIEFER_CHROMIUM, else
`chromium` (or `chromium-browser`) on PATH. Without one the tests fail and say how to get it;
they do not skip (.ci/run installs it). A page is watched for console errors, uncaught
errors, dialogs (alert) and any request but for the page's own file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, sync_playwright

# As the machine notes say: no background connections (the network is closed), no sandbox
# as root, a fresh profile.
_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    """BRIEFER_CHROMIUM, else chromium (or chromium-browser) on PATH; None when neither is."""
    found = os.environ.get("BRIEFER_CHROMIUM") or next(
        (p for name in ("chromium", "chromium-browser") if (p := shutil.which(name))), None
    )
    return found if found and Path(found).exists() else None


def launch_args() -> list[str]:
    return [*_ARGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]


def chromium_path() -> str:
    found = find_chromium()
    if found is None:
        pytest.fail(
            "No Chromium for the browser tests: install Debian's chromium "
            "(sudo apt-get install chromium) or set BRIEFER_CHROMIUM to a Chromium executable.",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=launch_args())
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A page and everything it did that a self-contained, script-free page must not do."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, dialogs and requests for anything but the page's files."""
        own = self.url.split("#", 1)[0].rsplit("/", 1)[0] + "/"
        stray = [r for r in self.requests if not (r.startswith(own) and r.endswith(".html"))]
        return [*self.errors, *(f"dialog: {d}" for d in self.dialogs), *stray]


def open_page(
    browser: Browser, path: Path, *, size: dict[str, int] = DESKTOP, scheme: str = "light"
) -> Watched:
    """Open a file:// page in a fresh context of the given viewport and colour scheme."""
    context = browser.new_context(viewport=size, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    w = Watched(page, path.resolve().as_uri())

    def on_console(m: ConsoleMessage) -> None:
        if m.type == "error":
            w.errors.append(f"console: {m.text}")

    def on_dialog(d: Dialog) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    def on_request(r: Request) -> None:
        w.requests.append(r.url)

    page.on("console", on_console)
    page.on("pageerror", lambda e: w.errors.append(f"page error: {e}"))
    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.goto(w.url)
    return w
