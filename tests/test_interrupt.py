"""Ctrl-C during the analyses stops the run at once: it does not sit waiting for the model
calls already in flight (on the embedded 1.5B model one call can take minutes)."""

from __future__ import annotations

import json
import threading

import httpx2
import pytest

from briefer.pipeline.run import brief

from .conftest import SEEDS
from .scripted import pipeline_settings, smart_reply


def test_ctrl_c_during_analysis_does_not_wait_for_calls_in_flight() -> None:
    answer = smart_reply()
    slow_began, slow_ended, release = threading.Event(), threading.Event(), threading.Event()

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if 'label="A2"' in body["messages"][1]["content"]:
            slow_began.set()
            release.wait(20)  # a slow call, still running when the user presses Ctrl-C
            slow_ended.set()
        return answer(body)

    def progress(step: str, done: int, total: int) -> None:
        if step == "analyse" and done == 1:
            assert slow_began.wait(10), "the slow call was never sent"
            raise KeyboardInterrupt

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    try:
        with pytest.raises(KeyboardInterrupt):
            brief([SEEDS], pipeline_settings(), http_client=http, progress=progress)
        # Ctrl-C came back while the call in flight was still held: it did not wait for it.
        assert not slow_ended.is_set(), "Ctrl-C waited for the call in flight"
    finally:
        release.set()
        http.close()
