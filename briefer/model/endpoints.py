"""Remember which structured-output mode each endpoint + model accepted, and when.

Detection costs a failed request; remembering it per endpoint means it is paid once, not on
every run. A stored downgrade is not kept forever: after RECHECK_DAYS the better mode is tried
again (a server upgrade, or a fault that looked like a rejection, must not pin an endpoint to a
worse mode), and `briefer doctor` re-checks every mode and stores what works now. Stored as JSON
in the state's data folder (`Home.data_dir`); a corrupt file is ignored and rewritten.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..atomic import write_atomic
from ..settings import Home

RECHECK_DAYS = 7
_lock = threading.Lock()


class Remembered(BaseModel):
    mode: str
    checked: float = 0.0  # when it was learned (unix time); 0 for entries of older releases

    def stale(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) - self.checked > RECHECK_DAYS * 86400


def _path(home: Home) -> Path:
    return home.data_dir / "endpoints.json"


def _entry(value: object) -> Remembered | None:
    if isinstance(value, str):  # the first release stored the bare mode, with no time
        return Remembered(mode=value)
    try:
        return Remembered.model_validate(value)
    except ValidationError:
        return None


def _load(home: Home) -> dict[str, Remembered]:
    try:
        data = json.loads(_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    entries = {str(k): _entry(v) for k, v in data.items()}
    return {k: v for k, v in entries.items() if v is not None}


def remembered(home: Home, endpoint: str, model: str) -> Remembered | None:
    return _load(home).get(f"{endpoint}|{model}")


def remember_mode(home: Home, endpoint: str, model: str, mode: str) -> None:
    with _lock:
        data = _load(home)
        data[f"{endpoint}|{model}"] = Remembered(mode=mode, checked=time.time())
        text = json.dumps({k: v.model_dump() for k, v in data.items()}, indent=1, sort_keys=True)
        write_atomic(_path(home), text)
