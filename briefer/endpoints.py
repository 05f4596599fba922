"""Remember which structured-output mode each endpoint + model accepted.

Detection costs a failed request; remembering it per endpoint means it is paid once, not on
every run. Stored as JSON in the data dir; a corrupt file is ignored and rewritten.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from . import settings as settings_mod
from .atomic import write_atomic

_lock = threading.Lock()


def _path() -> Path:
    return settings_mod.data_dir() / "endpoints.json"


def _load() -> dict[str, str]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remembered_mode(endpoint: str, model: str) -> str | None:
    return _load().get(f"{endpoint}|{model}")


def remember_mode(endpoint: str, model: str, mode: str) -> None:
    with _lock:
        data = _load()
        data[f"{endpoint}|{model}"] = mode
        write_atomic(_path(), json.dumps(data, indent=1, sort_keys=True))
