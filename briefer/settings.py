"""Resolved settings: flag > BRIEFER_* / OPENAI_* environment > config file > default.

Where state lives (config, call cache, remembered endpoint modes, assembled models, logs) is a
`Home`, found once by `find_home` (flag > BRIEFER_HOME > the platform's folders) and carried on
the settings; no other module reads a BRIEFER_* variable. Tests point BRIEFER_HOME at a temp dir so
nothing of the user's leaks in or out.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .redact import redact_url, url_secrets

# The structured-output mode, defined once: the settings, the daily config and the CLI's
# --structured-output take it; model/modes.py walks the modes after "auto", best first.
StructuredMode = Literal["auto", "json_schema", "json_object", "text"]

DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_MAX_ARTICLE_TOKENS = 30_000
DEFAULT_MAX_ARTICLES = 50

NO_KEY_MESSAGE = "No API key: set OPENAI_API_KEY, pass --base-url, or install the local extra."


class Home(BaseModel):
    """Where briefer keeps its state: one folder (BRIEFER_HOME) or the platform's folders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path  # the call store, remembered endpoint modes
    cache_dir: Path  # re-creatable files: assembled models
    config_dir: Path  # config.toml, the scheduler's env file
    log_dir: Path  # what scheduled runs print

    @classmethod
    def at(cls, folder: Path) -> Home:
        """Everything in `folder`: config and data at the top, then cache/ and logs/."""
        root = folder.expanduser().absolute()
        return cls(data_dir=root, cache_dir=root / "cache", config_dir=root, log_dir=root / "logs")

    @classmethod
    def platform(cls) -> Home:
        """The user's folders (~/.local/share/briefer, ~/.cache/briefer, ... on Linux)."""
        return cls(
            data_dir=Path(platformdirs.user_data_dir("briefer")),
            cache_dir=Path(platformdirs.user_cache_dir("briefer")),
            config_dir=Path(platformdirs.user_config_dir("briefer")),
            log_dir=Path(platformdirs.user_log_dir("briefer")),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"


def find_home(folder: Path | str | None = None) -> Home:
    """The state folders: `folder` if given, else $BRIEFER_HOME, else the platform's."""
    chosen = folder or os.environ.get("BRIEFER_HOME")
    return Home.at(Path(chosen)) if chosen else Home.platform()


class Settings(BaseModel):
    """Everything a briefing run needs to know about where and how to call the model."""

    model_config = ConfigDict(extra="forbid")

    # Where state is read and written; found when the settings are made, never again.
    home: Home = Field(default_factory=find_home)

    api_key: str | None = None
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    concurrency: int = Field(8, ge=1, le=64)  # a story's analyses and contrast at once
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    seed: int | None = 7
    structured_output: StructuredMode = "auto"
    context_window: int | None = Field(None, ge=1024)
    timeout: float = Field(300.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    extra_body: dict[str, Any] = Field(default_factory=dict)
    cache: bool = True
    # Longest article a run sends, in model tokens after cleaning; longer ones are skipped with
    # a reason. 30,000 admits any news article and a 20,000-word long-read (about 1.4 tokens a
    # word in English, French or German); a 5 MB text file (over a million tokens, 150 calls)
    # is refused instead of quietly paid for.
    max_article_tokens: int = Field(DEFAULT_MAX_ARTICLE_TOKENS, ge=1)
    # Most articles one briefing takes; more is refused before any model call. A briefing
    # compares outlets on one story: its summary shows at most 24 outlet sentences (6 sentences,
    # 4 outlets' evidence each), and every article adds a comparison block, a coverage column
    # and a framing profile to one prompt. Past 50, most outlets add nothing a reader sees, and
    # a folder that big is far likelier a wrong path (25,000 files: thousands of calls) than a
    # story.
    max_articles: int = Field(DEFAULT_MAX_ARTICLES, ge=1)
    # What the call cache calls this endpoint. The embedded server gets a new port every run,
    # so it is cached under the model file instead of its URL (else no re-run is ever free).
    cache_scope: str | None = None
    # Called once before the first request goes out (not for cached calls): it readies the
    # endpoint (the embedded model starts its server here) and returns the base URL to send to.
    # Never read from a file or the environment; not part of what a run records.
    on_first_request: Callable[[], str] | None = Field(None, exclude=True, repr=False)

    def cache_endpoint(self) -> str:
        return self.cache_scope or self.endpoint()

    def endpoint(self) -> str:
        """The endpoint as shown and stored anywhere: credentials in the URL are dropped."""
        return redact_url(self.base_url) if self.base_url else "https://api.openai.com/v1"

    def secrets(self) -> list[str]:
        """What must never be printed or written: the key and any credentials in the URL."""
        return [s for s in (self.api_key, *url_secrets(self.base_url)) if s]

    def require_key(self) -> str:
        """The key to send. The configured key if any; else, with a `base_url`, a placeholder
        (local and self-hosted servers rarely check it, and one that does answers 401, reported
        as a rejected key); else a ConfigError, since OpenAI's hosted API needs a key."""
        if self.api_key:
            return self.api_key
        if self.base_url:
            return "no-key"
        raise ConfigError(NO_KEY_MESSAGE)


_ENV: dict[str, tuple[str, ...]] = {
    "api_key": ("BRIEFER_API_KEY", "OPENAI_API_KEY"),
    "base_url": ("BRIEFER_BASE_URL", "OPENAI_BASE_URL"),
    "model": ("BRIEFER_MODEL",),
    "concurrency": ("BRIEFER_CONCURRENCY",),
    "seed": ("BRIEFER_SEED",),
    "structured_output": ("BRIEFER_STRUCTURED_OUTPUT",),
    "context_window": ("BRIEFER_CONTEXT_WINDOW",),
    "timeout": ("BRIEFER_TIMEOUT",),
    "extra_body": ("BRIEFER_EXTRA_BODY",),
    "max_article_tokens": ("BRIEFER_MAX_ARTICLE_TOKENS",),
    "max_articles": ("BRIEFER_MAX_ARTICLES",),
}


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, names in _ENV.items():
        for name in names:
            value = os.environ.get(name)
            if value:
                if field == "extra_body":
                    try:
                        out[field] = json.loads(value)
                    except json.JSONDecodeError as exc:
                        raise ConfigError(f"{name} is not valid JSON: {exc.msg}.") from exc
                else:
                    out[field] = value
                break
    return out


def _from_file(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found.")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(
            f"{path}: unreadable or not valid TOML ({exc}); fix or remove the file."
        ) from exc
    section = data.get("briefer", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [briefer] must be a table.")
    return dict(section)


def resolve(
    flags: dict[str, Any] | None = None,
    config: Path | None = None,
    above_file: dict[str, Any] | None = None,
) -> Settings:
    """Merge the layers: flags > environment > `above_file` > config file. Flags given as None
    are treated as not given; `above_file` is a run's own settings (a briefer.toml [model]).
    A `home` flag (a folder) overrides BRIEFER_HOME; the config file cannot move it."""
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    home = find_home(given.pop("home", None))
    path = config or home.config_file
    from_file = _from_file(path, explicit=config is not None)
    if "home" in from_file:
        raise ConfigError(f"{path}: home cannot be set in a config file; set BRIEFER_HOME.")
    merged: dict[str, Any] = {**from_file, **(above_file or {}), **_from_env(), **given}
    merged["home"] = home
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "settings"
        raise ConfigError(
            f"Invalid setting {where}: {err['msg']} (check {path} and flags)."
        ) from exc
