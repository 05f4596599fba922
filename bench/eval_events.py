"""The evaluation events of ../shared/eval/ (read from there, never copied into the repository),
and their articles written out as files for briefer to read.

One JSON object a line: {"id", "roundup", "coverage_note", "articles": [{"side", "outlet",
"title", "paragraphs"}], ...}. Only the fields the quality benchmark uses are read; a line that
does not have them is an error naming its line number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EventArticle(BaseModel):
    side: str
    outlet: str
    title: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        """The paragraphs as one text, joined by spaces (the baselines' sentence source)."""
        return " ".join(p.strip() for p in self.paragraphs if p.strip())


class Event(BaseModel):
    # Ids are numbers in the file; kept as text, as they name the briefing files.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")  # it names files: no path in it
    roundup: str
    coverage_note: str = ""
    articles: list[EventArticle]

    @property
    def outlets(self) -> list[str]:
        return [a.outlet for a in self.articles]


def parse_events(lines: Sequence[str]) -> list[Event]:
    """The events on the non-blank lines, in file order."""
    events: list[Event] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            events.append(Event.model_validate_json(line))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise ValueError(f"line {number}: not an evaluation event ({reason})") from None
    return events


def select(events: Sequence[Event], n: int | None, ids: Sequence[str] | None) -> list[Event]:
    """The events named by `ids` (in the order given), else the first `n` in file order."""
    if ids:
        by_id = {e.id: e for e in events}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ValueError(f"no event with id {', '.join(missing)}")
        return [by_id[i] for i in ids]
    return list(events[:n] if n is not None else events)


def load_events(path: Path) -> list[Event]:
    return parse_events(path.read_text("utf-8").splitlines())


def _front_matter_value(text: str) -> str:
    return " ".join(text.split())  # one line: a newline would end the front matter's entry


def write_articles(event: Event, folder: Path) -> list[Path]:
    """The event's articles as text files in `folder`, in order, each with front matter naming
    its outlet and title (as briefer's ingest reads it) and its paragraphs apart."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, a in enumerate(event.articles, 1):
        path = folder / f"{n}-{re.sub(r'[^a-z]', '', a.side.lower()) or 'article'}.txt"
        body = "\n\n".join(p.strip() for p in a.paragraphs if p.strip())
        path.write_text(
            f"---\noutlet: {_front_matter_value(a.outlet)}\n"
            f"title: {_front_matter_value(a.title)}\n---\n{body}\n",
            "utf-8",
        )
        paths.append(path)
    return paths
