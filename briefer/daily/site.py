"""The output folder as a static site: each day's index.html, and one index.html of the days.

With "html" among the formats, a reader opens OUTPUT/index.html (or serves the folder with
any web server) and goes from the days to a day's stories to a story's page and back. The
pages are rendered from the day state and the run's result by the escaping templates of
briefer/render; file names are percent-encoded into links.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel

from ..render.templating import page
from .result import DailyResult
from .state import INDEX_PAGE, STATE_NAME, DayState, day_folders


class DayLink(BaseModel):
    day: str
    stories: list[tuple[str, str]]  # (title, link to its page within the day's folder)


def page_of(files: list[str]) -> str:
    """The link to a story: its HTML page when it has one, else its first file."""
    pages = [f for f in files if f.endswith(".html")]
    return quote((pages or files)[0], safe="")


def _others(files: list[str]) -> list[str]:
    """A story's files other than the one its title links to."""
    first = page_of(files)
    return [quote(f, safe="") for f in files if quote(f, safe="") != first]


def day_page(result: DailyResult, window_hours: float) -> str:
    """The day's index.html: what index.md says, with the stories linked to their pages."""
    return page(
        "day.html",
        r=result,
        briefed=[s for s in result.stories if s.files],
        failed=[s for s in result.stories if not s.files],
        window_hours=window_hours,
        page_of=page_of,
        others=_others,
    )


def site_page(output: Path) -> str:
    """The top index.html: every day folder that has a page index, newest first."""
    days = []
    for day, folder in reversed(day_folders(output)):
        if not (folder / INDEX_PAGE).is_file():
            continue
        state = DayState.load(folder / STATE_NAME, adopt=False)  # its stories, no hashes
        stories = [(s.title, page_of(s.files)) for _, s in sorted(state.stories.items()) if s.files]
        days.append(DayLink(day=day.isoformat(), stories=stories))
    return page("site.html", days=days)
