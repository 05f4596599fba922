"""briefer: a briefing a busy reader can trust, from a pile of news articles about one story."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefer")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
