"""Fixtures: the generated bindings on the import path, temp stores, and the
real outpost-server binary on an ephemeral loopback port (the Python twin of
outpost_e2e::Server in tests/src/lib.rs)."""

import os
import secrets
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = Path(os.environ.get("OUTPOST_BINDINGS_PY", ROOT / "target" / "bindings" / "python"))
SERVER_BIN = Path(os.environ.get("OUTPOST_SERVER_BIN", ROOT / "target" / "debug" / "outpost-server"))
sys.path.insert(0, str(BINDINGS))

LISTENING = "outpost-server listening on http://"
# settings a developer's shell may carry that must not reach the test server
SERVER_ENV = [
    "OUTPOST_DATA_DIR",
    "OUTPOST_LISTEN",
    "OUTPOST_MAX_FRAME_BYTES",
    "OUTPOST_OUTBOUND_QUEUE",
    "OUTPOST_SEND_TIMEOUT_SECS",
    "OUTPOST_PING_SECS",
    "OUTPOST_IDLE_TIMEOUT_SECS",
    "OUTPOST_CACHE_DOCS",
    "OUTPOST_ADMIN_TOKEN",
]


class Server:
    """outpost-server in a temp data dir on 127.0.0.1:<ephemeral>, killed by pid."""

    def __init__(self, tmp: Path):
        self.dir = tmp
        self.data = tmp / "data"
        tmp.mkdir(parents=True, exist_ok=True)
        self.log_path = tmp / "server.log"
        env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
        env["OUTPOST_ADMIN_TOKEN"] = "py_admin_" + secrets.token_hex(16)
        env.setdefault("RUST_LOG", "info")
        self.env = env
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(SERVER_BIN), "--data-dir", str(self.data), "serve", "--listen", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                text=True,
            )
        found = threading.Event()
        self.port = None

        def read():
            # keeps reading until the process exits, so it never blocks on a full pipe
            for line in self.proc.stdout:
                if self.port is None and line.startswith(LISTENING):
                    self.port = int(line.strip().rsplit(":", 1)[1])
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            self.kill()
            raise RuntimeError("outpost-server did not start; log:\n" + self.log())

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/sync"

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [str(SERVER_BIN), "--data-dir", str(self.data), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
        )
        assert out.returncode == 0, f"outpost-server {args} failed: {out.stderr}"
        return out.stdout

    def add_user(self, user: str, role: str = "rep") -> None:
        self.cli("user", "add", user, "--role", role)

    def issue_token(self, user: str) -> str:
        token = self.cli("token", "issue", user).strip()
        assert token, "token issue printed nothing"
        return token

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
        self.proc.wait(30)


@pytest.fixture
def server(tmp_path):
    if not SERVER_BIN.exists():
        pytest.fail(f"{SERVER_BIN} missing: cargo build -p outpost-server")
    s = Server(tmp_path / "server")
    yield s
    s.kill()


@pytest.fixture
def store_dir():
    with tempfile.TemporaryDirectory(prefix="outpost-py-") as d:
        yield Path(d)
