"""Credentials in the base URL (`http://user:pass@host/v1`) reach the server and nothing else:
not the briefing's JSON or Markdown, the daily index and state, the cache, `doctor`'s report or
any message. Each test searches every byte written and printed for the password."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
from typer.testing import CliRunner

from briefer.cli import app
from briefer.daily.run import run_daily
from briefer.model.doctor import diagnose
from briefer.pipeline.run import brief
from briefer.render.render import to_json, to_markdown
from briefer.settings import Settings

from .conftest import SEEDS, model_settings
from .days import FULL_RUN, NOW, Day
from .days import day as day
from .fakes import FakeEndpoint, completion, error
from .loopback import serve
from .schema_fake import answer, reply

PASSWORD = "s3cretpw"
SECRETS = [PASSWORD, base64.b64encode(f"user:{PASSWORD}".encode()).decode()]
TWO = [str(SEEDS / "001_194ea32b46bea275.txt"), str(SEEDS / "004_9e89ca09907b8ff5.txt")]


def with_credentials(base: str) -> str:
    """`base` ("http://127.0.0.1:PORT") with a user and password in it."""
    return base.replace("://", f"://user:{PASSWORD}@", 1) + "/v1"


def leaks(*texts: str | bytes) -> list[str]:
    found = []
    for text in texts:
        raw = text if isinstance(text, bytes) else text.encode()
        found += [s for s in SECRETS if s.encode() in raw]
    return found


def files_under(*roots: Path) -> Iterator[tuple[Path, bytes]]:
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path, path.read_bytes()


def assert_nothing_written_leaks(*roots: Path) -> None:
    written = list(files_under(*roots))
    assert written
    assert [str(p) for p, data in written if leaks(data)] == []


def test_a_briefing_run_keeps_the_password_out_of_json_markdown_and_state(
    tmp_path: Path, _isolated: Path
) -> None:
    # Two analyses, the write call and its re-ask (the stand-in names no fact group); the
    # test model, the 1.5B, is not asked for framing lines.
    fake = FakeEndpoint.serving(reply, 4)
    settings = model_settings(base_url=with_credentials("http://127.0.0.1:9"))
    b = brief(
        [SEEDS / "001_194ea32b46bea275.txt", SEEDS / "004_9e89ca09907b8ff5.txt"],
        settings,
        http_client=fake.client(),
    )
    assert b.run.endpoint == "http://127.0.0.1:9/v1"
    assert leaks(to_json(b), to_markdown(b)) == []
    assert_nothing_written_leaks(_isolated)  # the cache and the remembered modes


def test_the_cli_keeps_the_password_out_of_files_and_messages(
    tmp_path: Path, _isolated: Path
) -> None:
    runner = CliRunner()
    with serve(tmp_path, chat=answer) as server:
        url = with_credentials(server.base)
        args = ["--base-url", url, "--model", "m", "--context-window", "8192", "-j", "1"]
        md = runner.invoke(app, ["brief", *TWO, *args, "-o", str(tmp_path / "b.md")])
        js = runner.invoke(
            app, ["brief", *TWO, *args, "-f", "json", "-o", str(tmp_path / "b.json")]
        )
        assert server.paths()  # the model calls reached the server
    assert md.exit_code == 0 and js.exit_code == 0, md.output + js.output
    assert json.loads((tmp_path / "b.json").read_text())["run"]["endpoint"] == server.base + "/v1"
    assert leaks(md.output, md.stderr, js.output, js.stderr) == []
    assert_nothing_written_leaks(tmp_path)


def test_a_daily_run_keeps_the_password_out_of_every_file(day: Day, _isolated: Path) -> None:
    settings = model_settings(base_url=with_credentials("http://127.0.0.1:9"))
    fake = FakeEndpoint.serving(reply, FULL_RUN)
    result = run_daily(day.config(), settings, NOW, http_client=fake.client())
    assert result.status == "done", result.message
    assert leaks(result.model_dump_json()) == []
    assert_nothing_written_leaks(day.out, _isolated)


def echoing_server(needs_auth: bool = True) -> httpx2.Client:
    """A server behind basic auth whose error texts echo the URL it was called at (with the
    credentials) and a key, as some proxies do."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        authorised = request.headers.get("authorization") == f"Basic {SECRETS[1]}"
        if needs_auth and not authorised:
            return httpx2.Response(401, json={"error": {"message": "login required"}})
        if request.url.path.endswith("/models"):
            models = [{"id": "m", "object": "model", "created": 0, "owned_by": "me"}]
            return httpx2.Response(200, json={"object": "list", "data": models})
        if request.url.path == "/props":
            return httpx2.Response(200, json={"default_generation_settings": {"n_ctx": 8192}})
        body: dict[str, Any] = json.loads(request.content)
        if (body.get("response_format") or {}).get("type") == "json_schema":
            return completion(json.dumps({"ok": True, "word": "hello"}))
        # The echo comes first so that cutting the message to its first 120 characters keeps it.
        return error(400, f"response_format refused at {request.url}: check your setup")

    return httpx2.Client(transport=httpx2.MockTransport(handle))


def test_doctor_reports_without_the_password_and_still_sends_it() -> None:
    url = with_credentials("http://127.0.0.1:9")
    d = diagnose(Settings(base_url=url, model="m", max_retries=0), echoing_server())
    assert d.usable and d.endpoint == "http://127.0.0.1:9/v1"
    assert [m.works for m in d.modes] == [True, False, False]
    assert all("refused" in m.detail for m in d.modes[1:])  # the reason is still shown
    assert leaks(d.model_dump_json(), d.flags()) == []
    assert "://user:" not in d.model_dump_json()  # not even the start of it, cut at 120
    assert d.context_window == 8192  # /props got the credentials the model calls got


def test_doctor_on_the_command_line_prints_no_password() -> None:
    result = CliRunner().invoke(
        app, ["doctor", "--base-url", with_credentials("http://127.0.0.1:9")]
    )
    assert result.exit_code == 1
    assert "Cannot reach http://127.0.0.1:9/v1" in result.stderr
    assert leaks(result.output, result.stderr) == []
