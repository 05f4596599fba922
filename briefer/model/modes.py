"""Which structured-output mode a run's calls use: json_schema -> json_object (+ schema in the
prompt) -> plain text, moving down only when the endpoint answers a 4xx naming the format.

In `auto` the run starts from the best mode the model table allows, or from the mode remembered
for this endpoint and model (endpoints.py); a downgrade is remembered, and a remembered
downgrade that is due a re-check starts from the best mode again and stores what works now.
"""

from __future__ import annotations

import threading
from typing import get_args

from ..settings import Settings, StructuredMode
from . import endpoints
from .modeltable import ModelInfo


class FormatRejected(Exception):
    """The endpoint refused this response_format mode (a 4xx naming it)."""

    def __init__(self, message: str, mode: str) -> None:
        super().__init__(message)
        self.mode = mode


# The modes a call can send, best first: the settings' modes after "auto".
MODES: tuple[StructuredMode, ...] = get_args(StructuredMode)[1:]


class ModeState:
    """The mode calls use now, shared by a run's threads."""

    def __init__(self, settings: Settings, info: ModelInfo) -> None:
        self.home = settings.home
        self.endpoint = settings.endpoint()
        self.model = settings.model
        self.auto = settings.structured_output == "auto"
        self.mode: str = settings.structured_output
        self._recheck = False  # a stored downgrade was due a re-check: store what works now
        self._lock = threading.Lock()
        if self.auto:
            best = "json_schema" if info.structured_output else "json_object"
            stored = endpoints.remembered(self.home, self.endpoint, self.model)
            self._recheck = stored is not None and stored.stale()
            self.mode = stored.mode if stored and not self._recheck else best

    def downgrade(self, failed: str) -> bool:
        """Move past the mode that failed (in auto only); a concurrent call may have done so
        already. False when there is no mode left to try."""
        if not self.auto:
            return False
        with self._lock:
            if self.mode != failed:
                return True
            i = MODES.index(self.mode)
            if i + 1 >= len(MODES):
                return False
            self.mode = MODES[i + 1]
            self._recheck = False
        endpoints.remember_mode(self.home, self.endpoint, self.model, self.mode)
        return True

    def confirm(self, mode: str) -> None:
        """After a re-check of a stale downgrade, store the mode that works now."""
        with self._lock:
            recheck, self._recheck = self._recheck, False
        if recheck:
            endpoints.remember_mode(self.home, self.endpoint, self.model, mode)
