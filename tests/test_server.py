"""LocalServer: ports, clear failures, reliable stop; one real llama.cpp start when possible."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.errors import LocalServerError
from briefer.local import __main__ as local_main
from briefer.local import embedded, server
from briefer.local.models import LOCAL_MODELS, models_dir
from briefer.local.server import (
    LOCAL_EXTRA_MESSAGE,
    LocalServer,
    free_port,
    stop_child,
    xllamacpp_available,
)
from briefer.settings import find_home

from .conftest import SEEDS


def port_is_free(port: int) -> bool:
    """Nothing listens there and a new server could bind it now.

    SO_REUSEADDR as every server sets it: TIME_WAIT leftovers of closed connections
    must not count as "in use", a live listener must.
    """
    with socket.socket() as probe:
        probe.settimeout(1.0)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _test_model() -> Path | None:
    """A GGUF to start for real: $BRIEFER_TEST_GGUF, else an already assembled local model."""
    env = os.environ.get("BRIEFER_TEST_GGUF")
    if env:
        return Path(env) if Path(env).is_file() else None
    for key in ("fast", "default"):  # the smaller one starts faster
        path = models_dir(find_home()) / f"{LOCAL_MODELS[key].name}.gguf"
        if path.is_file():
            return path
    return None


TEST_MODEL = _test_model()
needs_xllamacpp = pytest.mark.skipif(
    not xllamacpp_available(), reason="xllamacpp is not installed (pip install 'briefer[local]')"
)


def test_free_port_is_bindable_loopback_port() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    assert port_is_free(port)


def server_children() -> list[int]:
    """Pids of our child processes running briefer.local (Linux: read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if ppid == os.getpid() and b"-m\0briefer.local\0" in cmdline:
            found.append(int(stat.parent.name))
    return found


def broken_model(tmp_path: Path) -> Path:
    """A file that passes the GGUF magic check but no llama.cpp can load."""
    model = tmp_path / "broken.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 60)
    return model


def test_a_server_that_cannot_start_raises_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real child starts and exits before it is healthy (no llama.cpp in it, or a model it
    cannot load): a LocalServerError with the child's reason, and no child or port left."""
    monkeypatch.setattr(server, "xllamacpp_available", lambda: True)  # in this process only
    srv = LocalServer(broken_model(tmp_path), startup_timeout=60)
    with pytest.raises(LocalServerError) as info:
        srv.start()
    message = str(info.value)
    assert message.startswith("The local server exited (code ")
    assert "before it was ready: " in message and "\n" not in message
    assert srv.port is None and server_children() == []
    with pytest.raises(LocalServerError, match="not running"):
        _ = srv.base_url


def test_the_cli_prints_a_failed_start_as_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (server, embedded):  # the parent believes the extra is there; the child may not
        monkeypatch.setattr(module, "xllamacpp_available", lambda: True)
    model = broken_model(tmp_path)
    result = CliRunner().invoke(app, ["brief", str(SEEDS), "--local-model", str(model)])
    assert result.exit_code == 1
    assert not isinstance(result.exception, LocalServerError), "escaped the CLI as a traceback"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: The local server exited"), lines
    assert result.stdout == ""
    assert server_children() == []


def test_missing_extra_gives_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "xllamacpp_available", lambda: False)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    with pytest.raises(LocalServerError) as info, LocalServer(model):
        pass
    assert str(info.value) == LOCAL_EXTRA_MESSAGE
    monkeypatch.setattr(local_main, "xllamacpp_available", lambda: False)
    assert local_main.main(["--model", str(model)]) == 2


def test_missing_model_file_is_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "xllamacpp_available", lambda: True)  # as with the extra
    with pytest.raises(LocalServerError, match="not found"), LocalServer(tmp_path / "none.gguf"):
        pass


def test_base_url_needs_a_running_server(tmp_path: Path) -> None:
    srv = LocalServer(tmp_path / "x.gguf", alias="x")
    assert srv.model == "x"
    with pytest.raises(LocalServerError, match="not running"):
        _ = srv.base_url
    srv.stop()  # stopping a server that never started is a no-op


def test_default_alias_of_known_model() -> None:
    path = Path("/any") / f"{LOCAL_MODELS['default'].name}.gguf"
    assert LocalServer(path).model == "qwen2.5-coder-1.5b-instruct"
    assert LocalServer(Path("/any/My-Model.gguf")).model == "my-model"


def test_stop_kills_a_child_that_ignores_sigterm() -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print(1, flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()  # the handler is installed
    proc.stdout.close()
    try:
        stop_child(proc, grace=0.2)
        assert proc.returncode == -signal.SIGKILL
        stop_child(proc, grace=0.2)  # a child already gone is a no-op
    finally:
        if proc.poll() is None:  # the test failed: do not leave the child behind
            proc.kill()
            proc.wait()


@needs_xllamacpp
def test_child_failure_is_reported_with_reason(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_text("not a model")
    with pytest.raises(LocalServerError) as info, LocalServer(bogus, startup_timeout=60):
        pass
    assert "not a GGUF" in str(info.value)


@pytest.mark.local_server
@needs_xllamacpp
@pytest.mark.skipif(
    TEST_MODEL is None,
    reason="no assembled local model: set BRIEFER_TEST_GGUF to a .gguf, "
    "or run `python -m briefer.local --model fast` once",
)
def test_real_server_starts_answers_and_frees_its_port() -> None:
    assert TEST_MODEL is not None
    with pytest.raises(KeyboardInterrupt), LocalServer(TEST_MODEL, n_ctx=1024) as srv:
        assert srv.port is not None
        port: int = srv.port
        assert srv.base_url == f"http://127.0.0.1:{port}/v1"
        with httpx2.Client(trust_env=False, timeout=60) as client:
            assert client.get(f"http://127.0.0.1:{port}/health").status_code == 200
            models = client.get(f"{srv.base_url}/models").json()
            assert srv.model in [m["id"] for m in models["data"]]
        raise KeyboardInterrupt  # Ctrl-C inside the block must still stop the server
    assert srv.port is None
    assert port_is_free(port)

    # The same port is usable again at once, and a real completion round-trips.
    with LocalServer(TEST_MODEL, n_ctx=1024, port=port) as again:
        assert again.port == port
        with httpx2.Client(trust_env=False, timeout=120) as client:
            reply = client.post(
                f"{again.base_url}/chat/completions",
                json={
                    "model": again.model,
                    "messages": [{"role": "user", "content": "Say OK."}],
                    "max_tokens": 3,
                    "temperature": 0,
                },
            )
        assert reply.status_code == 200
        assert reply.json()["usage"]["completion_tokens"] >= 1
    assert port_is_free(port)
