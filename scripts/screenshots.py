"""Screenshots of the seeds' HTML report for docs/ and the README, in one command.

    pip install -c constraints.txt -e ".[dev]" && python scripts/screenshots.py

The briefing is the one the tests check: replayed from the cassette recorded from the real
1.5B server (cassettes/test_e2e/test_brief_all_seeds.yaml), so no model runs. The page is
rendered as `briefer brief seeds/ --format html` would, opened in headless Chromium (Debian's
`chromium`, or BRIEFER_CHROMIUM) and shot at a phone's and a desktop's width, in the light
scheme, plus the desktop's dark scheme.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' helpers: the cassette replay, the browser's flags

from playwright.sync_api import sync_playwright  # noqa: E402

from briefer.render.html import to_html  # noqa: E402
from tests.browser import DESKTOP, PHONE, find_chromium, launch_args  # noqa: E402
from tests.conftest import model_settings  # noqa: E402
from tests.replay import replay_seeds  # noqa: E402

DOCS = ROOT / "docs"
# (file, viewport, colour scheme, the section scrolled to first)
SHOTS = [
    ("seeds-desktop.png", DESKTOP, "light", None),
    ("seeds-desktop-dark.png", DESKTOP, "dark", "#disagreements"),
    ("seeds-phone.png", PHONE, "light", None),
]


def main() -> int:
    chromium = find_chromium()
    if chromium is None:
        print("No Chromium: install Debian's chromium or set BRIEFER_CHROMIUM.", file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "seeds.html"
        page_file.write_text(
            to_html(replay_seeds(Path(tmp) / "home", model_settings())), encoding="utf-8"
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=launch_args())
            for name, size, scheme, anchor in SHOTS:
                context = browser.new_context(viewport=size, color_scheme=scheme)  # type: ignore[arg-type]
                page = context.new_page()
                page.goto(page_file.as_uri() + (anchor or ""))
                page.screenshot(path=str(DOCS / name))
                context.close()
                print(f"wrote {DOCS / name}")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
