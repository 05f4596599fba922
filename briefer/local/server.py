"""Run llama.cpp's OpenAI-compatible server (from the `xllamacpp` wheel) for the local model.

Why a child process and not in-process: `xllamacpp.Server` starts the HTTP server in a
background thread of the calling process and has no stop method; it stops only when the
object is garbage-collected, and that destructor deadlocks while a request is in flight
(seen with xllamacpp 2026.10.11549: `~Server` waits forever in "cleaning up before exit").
So `LocalServer` runs `python -m briefer.local` (`__main__.py`) as a child, which can always be
stopped: SIGTERM, then SIGKILL after a grace period, and the kernel frees the port and the memory.
The child also keeps llama.cpp's log out of the app (it goes to a log file, whose error
lines explain a failed start) and a crash in native code cannot take the app down. The
child exits by itself if its parent dies, so an abandoned server does not linger.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType

from ..errors import LocalServerError
from .models import find_spec_for

HOST = "127.0.0.1"  # loopback only: the server has no API key
LOCAL_EXTRA_MESSAGE = "The local model needs the local extra: pip install 'briefer[local]'"
DEFAULT_N_CTX = 8192
_LIVE: weakref.WeakSet[LocalServer] = weakref.WeakSet()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


def port_taken(error: LocalServerError) -> bool:
    """True if the server failed to start because its port was already in use."""
    text = str(error).lower()
    return "bind" in text or "address already in use" in text


def xllamacpp_available() -> bool:
    """True if the local extra is installed (checked without loading the native library)."""
    return importlib.util.find_spec("xllamacpp") is not None


def default_alias(model_path: Path) -> str:
    """The model id to serve: the known alias for our own models, else the file's stem."""
    spec = find_spec_for(model_path.stem)
    return spec.alias if spec else model_path.stem.lower()


def _failure_reason(log_path: Path) -> str:
    """The log's error lines (llama.cpp marks them ' E '), else its last lines."""
    try:
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines()]
    except OSError:
        return "no log"
    lines = [ln for ln in lines if ln]
    errors = [ln for ln in lines if " E " in ln or ln.startswith("error:")]
    return " | ".join((errors or lines)[-3:]) or "no log output"


class LocalServer:
    """A llama.cpp server on 127.0.0.1 for one GGUF model, as a context manager.

    `with LocalServer(path) as srv:` returns once `GET /health` answers 200; then
    `srv.base_url` ("http://127.0.0.1:PORT/v1") and `srv.model` (the alias) are what an
    OpenAI client needs. Leaving the block stops the server, also on exceptions and Ctrl-C.
    """

    def __init__(
        self,
        model_path: Path | str,
        *,
        alias: str | None = None,
        n_ctx: int = DEFAULT_N_CTX,
        port: int | None = None,
        threads: int | None = None,
        startup_timeout: float = 120.0,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.model = alias or default_alias(self.model_path)
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.startup_timeout = startup_timeout
        self._requested_port = port
        self._log_path = log_path
        self._owns_log = log_path is None
        self._proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL; only valid while the server runs."""
        if self.port is None:
            raise LocalServerError(
                "The local server is not running: use it as `with LocalServer(...)`."
            )
        return f"http://{HOST}:{self.port}/v1"

    @property
    def log_path(self) -> Path | None:
        return self._log_path

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the child and wait until it is healthy; on any failure nothing is left running."""
        if self._proc is not None:
            return
        if not xllamacpp_available():
            raise LocalServerError(LOCAL_EXTRA_MESSAGE)
        if not self.model_path.is_file():
            raise LocalServerError(f"Model file {self.model_path} not found: assemble it first.")
        # An auto-picked port can be taken between free_port() and the child's bind: retry once.
        attempts = 1 if self._requested_port else 2
        for attempt in range(attempts):
            try:
                self._spawn(self._requested_port or free_port())
                self._wait_healthy()
                return
            except LocalServerError as exc:
                self.stop()
                if not port_taken(exc) or attempt + 1 == attempts:
                    raise
            except BaseException:
                self.stop()
                raise

    def _spawn(self, port: int) -> None:
        if self._owns_log:
            fd, name = tempfile.mkstemp(prefix="briefer-llama-", suffix=".log")
            os.close(fd)
            self._log_path = Path(name)
        assert self._log_path is not None
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        cmd = [
            sys.executable, "-m", "briefer.local",
            "--model", str(self.model_path), "--port", str(port), "--n-ctx", str(self.n_ctx),
            "--alias", self.model, "--threads", str(self.threads), "--parent-pid", str(os.getpid()),
        ]  # fmt: skip
        with self._log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        self.port = port
        _LIVE.add(self)

    def _wait_healthy(self) -> None:
        import httpx2  # loaded when a server starts, not for a cached run

        assert self._proc is not None and self._log_path is not None
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer yet"
        url = f"http://{HOST}:{self.port}/health"
        # trust_env=False: an HTTP(S)_PROXY setting must not capture loopback traffic.
        with httpx2.Client(timeout=2.0, trust_env=False) as client:
            while True:
                code = self._proc.poll()
                if code is not None:
                    raise LocalServerError(
                        f"The local server exited (code {code}) before it was ready: "
                        f"{_failure_reason(self._log_path)}"
                    )
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        return
                    last = f"/health answered {response.status_code}: {response.text[:200]}"
                except httpx2.HTTPError as exc:
                    last = f"/health not reachable ({type(exc).__name__})"
                if time.monotonic() > deadline:
                    reason = _failure_reason(self._log_path)
                    raise LocalServerError(
                        f"The local server did not become healthy within "
                        f"{self.startup_timeout:.0f}s ({last}); log: {reason}"
                    )
                time.sleep(0.2)

    def stop(self, grace: float = 10.0) -> None:
        """Stop the child (SIGTERM, then SIGKILL after `grace` s); safe to call twice."""
        proc, self._proc = self._proc, None
        self.port = None
        _LIVE.discard(self)
        try:
            if proc is not None:
                stop_child(proc, grace)
        finally:
            if self._owns_log and self._log_path is not None:
                self._log_path.unlink(missing_ok=True)
                self._log_path = None


def stop_child(proc: subprocess.Popen[bytes], grace: float) -> None:
    """End a child process: SIGTERM, then SIGKILL if it is still there after `grace` s."""
    try:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    finally:  # also on a second Ctrl-C during the grace period
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@atexit.register
def _stop_all() -> None:
    """Safety net for servers started without `with` and never stopped."""
    for server in list(_LIVE):
        server.stop(grace=2.0)
