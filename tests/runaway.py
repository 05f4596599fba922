"""A guard for tests of hostile input that could make a regular expression backtrack for
minutes: the test fails after a generous limit instead of hanging the suite. SIGALRM
interrupts even a running match (CPython's regex engine checks for signals), and the limit is
about a thousand times what the work takes, so a busy CPU cannot fail it: a hang guard, not
a speed assertion. Main thread only (where pytest runs a test)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def finishes(seconds: float = 60) -> Iterator[None]:
    """Fail the test if the block is still running after `seconds`."""

    def stop(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        raise AssertionError(f"still running after {seconds:g} s: runaway backtracking?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
