"""The command line: PocketBase's commands and flags (spec/cli.md), wired to the App."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import sys
import threading
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import msgspec

from pocketlite import POCKETBASE_VERSION, __version__
from pocketlite.tools.filelock import try_lock
from pocketlite.tools.logline import describe, log_line
from pocketlite.tools.security import DEFAULT_BCRYPT_COST, hash_password, random_digits

# NB: the app's stack (asyncio, pocketlite.app and everything it imports: ~60 ms) is imported
# inside the commands, after `run` started hashing the password a superuser command sets
# (`_HashAhead`), so that bcrypt runs on the other core while this one imports.
if TYPE_CHECKING:
    from pocketlite.app import App, Config
    from pocketlite.core.collection import Collection
    from pocketlite.core.errors import ValidationErrors
    from pocketlite.core.fields import PasswordValue
    from pocketlite.core.record import Record

__all__ = ["main"]

# Go-style boolean flags also accept `--flag=true|false`.
_BOOL_FLAGS = ("dev", "indexFallback", "automigrate", "hooksWatch")

_DEFAULT_DIR = "./pb_data"

# Held by a serving process tree; see `_lock_data_dir`.
_LOCK_FILE = "serve.lock"


class CommandError(Exception):
    """A failure printed as `YYYY/MM/DD HH:MM:SS <message>`, exit status 1."""


class _Exit(Exception):
    """End the command with `status`, its reason said already (by a child process)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _failures() -> tuple[type[Exception], ...]:
    """What a command reports in one line (exit status 1) rather than with a traceback."""
    from pocketlite.core.migrations import MigrationError  # the app's stack: see the imports
    from pocketlite.plugins.pyhooks import HooksError

    return (CommandError, HooksError, MigrationError, OSError, ValueError, sqlite3.Error)


# --- arguments -----------------------------------------------------------------------------------


def _common_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global flags")
    group.add_argument("--dir", default=_DEFAULT_DIR, help=f'the data directory (default "{_DEFAULT_DIR}")')
    group.add_argument(
        "--dev",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="enable dev mode, aka. printing logs to the console",
    )
    group.add_argument(
        "--encryptionEnv", default="", help="the env variable whose 32-character value encrypts the settings"
    )
    group.add_argument("--hooksDir", default="", help="the directory with the app hooks (pb_hooks/*.py)")
    group.add_argument(
        "--hooksWatch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reload the hooks when a pb_hooks file changes (default true)",
    )
    group.add_argument("--migrationsDir", default="", help="the directory with the user defined migrations")
    group.add_argument(
        "--automigrate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="enable/disable auto migrations (default: on with --dev, off otherwise)",
    )
    group.add_argument(
        "--publicDir",
        default="./pb_public",
        help='the directory to serve static files (default "./pb_public")',
    )
    group.add_argument(
        "--queryTimeout",
        type=int,
        default=30,
        help="the default SELECT queries timeout in seconds (default 30)",
    )
    group.add_argument(
        "--indexFallback",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fallback the request to index.html on missing static path (default true)",
    )
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common_flags()
    parser = argparse.ArgumentParser(
        prog="pocketlite", description="pocketlite: a PocketBase-compatible backend in one file."
    )
    parser.add_argument(
        "-v",
        "--version",
        action="version",
        version=f"pocketlite version {__version__} (PocketBase {POCKETBASE_VERSION} API)",
    )
    commands = parser.add_subparsers(dest="command", metavar="command")

    serve = commands.add_parser(
        "serve", parents=[common], help="Starts the web server (default to 127.0.0.1:8090)"
    )
    serve.add_argument("domains", nargs="*", help=argparse.SUPPRESS)
    serve.add_argument(
        "--http", default="127.0.0.1:8090", help="TCP address to listen for HTTP (default 127.0.0.1:8090)"
    )
    serve.add_argument(
        "--origins", default="*", help="CORS allowed domain origins list, comma separated (default *)"
    )
    serve.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")

    superuser = commands.add_parser("superuser", help="Manage superusers")
    actions = superuser.add_subparsers(dest="action", metavar="command")
    for name, help_text in (
        ("create", "Creates a new superuser"),
        ("upsert", "Creates, or updates if email exists, a single superuser"),
        ("update", "Changes the password of a single superuser"),
    ):
        action = actions.add_parser(name, parents=[common], help=help_text)
        action.add_argument("email", nargs="?", default="")
        action.add_argument("password", nargs="?", default="")
    delete = actions.add_parser("delete", parents=[common], help="Deletes an existing superuser")
    delete.add_argument("email", nargs="?", default="")
    otp = actions.add_parser("otp", parents=[common], help="Creates a new OTP for the specified superuser")
    otp.add_argument("email", nargs="?", default="")
    ips = actions.add_parser(
        "ips", parents=[common], help="Updates the superuser IPs whitelist setting (empty clears it)"
    )
    ips.add_argument("ips", nargs="*")
    _add_migrate_parser(commands, common)
    return parser


_MIGRATE_HELP = """Supported arguments are:
- up            - runs all available migrations
- down [number] - reverts the last [number] applied migrations
- create name   - creates new blank migration template file
- collections   - creates new migration file with snapshot of the local collections configuration
- history-sync  - ensures that the _migrations history table doesn't have references to deleted
                  migration files
"""


def _add_migrate_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        help="Executes app DB migration scripts",
        description=_MIGRATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate.add_argument("args", nargs="*", metavar="up|down [n]|create NAME|collections|history-sync")


def _normalize_bool_flags(argv: Sequence[str]) -> list[str]:
    out = []
    for arg in argv:
        for flag in _BOOL_FLAGS:
            prefix = f"--{flag}="
            if arg.startswith(prefix):
                arg = f"--{flag}" if arg[len(prefix) :].lower() in ("true", "1", "t") else f"--no-{flag}"
        out.append(arg)
    return out


def _config(args: argparse.Namespace) -> Config:
    from pocketlite.app import Config  # the app's stack: see the imports

    origins = tuple(o.strip() for o in getattr(args, "origins", "*").split(",") if o.strip()) or ("*",)
    data_dir = args.dir
    return Config(
        data_dir=data_dir,
        dev=args.dev,
        public_dir=args.publicDir,
        hooks_dir=args.hooksDir or os.path.join(data_dir, "..", "pb_hooks"),
        migrations_dir=args.migrationsDir or os.path.join(data_dir, "..", "pb_migrations"),
        origins=origins,
        encryption_env=args.encryptionEnv,
        query_timeout=args.queryTimeout,
        index_fallback=args.indexFallback,
        # Off by default, unlike PocketBase: a production server writing into its own source
        # tree surprises; `--dev` (editing the schema in the dashboard) turns it on.
        automigrate=args.dev if args.automigrate is None else args.automigrate,
        hooks_watch=args.hooksWatch,
    )


# --- superuser -----------------------------------------------------------------------------------


def _first_error(errors: ValidationErrors) -> str:
    from pocketlite.core.errors import ValidationError  # the app's stack: see the imports

    return "; ".join(
        f"{name}: {error.to_dict()['message'] if isinstance(error, ValidationError) else 'invalid'}"
        for name, error in sorted(errors.errors.items())
    )


async def _with_app(config: Config, run: Callable[[App], Awaitable[None]]) -> None:
    from pocketlite.app import App  # the app's stack: see the imports
    from pocketlite.plugins.pyhooks import HooksLoader

    # As PocketBase: the hooks load for every command, so model hooks fire for its changes too.
    app = App(config)
    if config.hooks_dir:
        loader = HooksLoader(app, Path(config.hooks_dir))
        loader.activate(loader.load())
    await app.start()
    try:
        await run(app)
    finally:
        await app.stop()


class _HashAhead:
    """The bcrypt hash of the password a superuser command sets, made in a thread from the start
    of the command: bcrypt (~60 ms at cost 10) releases the GIL, so it runs beside the imports
    and the opening of the app instead of after them."""

    def __init__(self, password: str) -> None:
        self._hash = ""
        self._thread = threading.Thread(target=self._run, args=(password,), daemon=True)
        self._thread.start()

    def _run(self, password: str) -> None:
        # A password bcrypt refuses yields no hash: the save hashes it again and says why.
        with contextlib.suppress(ValueError):
            self._hash = hash_password(password, DEFAULT_BCRYPT_COST)

    def value(self, collection: Collection, plain: str) -> PasswordValue:
        """`plain` as the value of the collection's password field, hashed already when the
        field hashes at the cost guessed (else the save hashes it)."""
        from pocketlite.core.fields import PasswordField, PasswordValue  # the app's stack

        field = collection.field("password")
        if not isinstance(field, PasswordField) or (field.cost or DEFAULT_BCRYPT_COST) != DEFAULT_BCRYPT_COST:
            return PasswordValue(plain=plain)
        self._thread.join()
        return PasswordValue(hash=self._hash, plain=plain)


async def _superuser(app: App, args: argparse.Namespace, hashing: _HashAhead | None) -> None:
    from pocketlite.core.errors import ValidationErrors  # the app's stack: see the imports
    from pocketlite.core.fields.email import is_email
    from pocketlite.core.record import Record
    from pocketlite.core.records import find_first_record_by_data
    from pocketlite.core.settings import save_settings

    action, email = args.action, getattr(args, "email", "")
    superusers = app.superusers()
    if action in ("create", "upsert", "update"):
        if not email or not args.password:
            raise CommandError("missing email and password arguments")
        if not is_email(email):
            raise CommandError("missing or invalid email address")
    existing = await find_first_record_by_data(app.data, superusers, "email", email) if email else None

    if action in ("create", "upsert", "update"):
        if action == "update" and existing is None:
            raise CommandError(f'superuser with email "{email}" doesn\'t exist')
        record = (
            existing if existing is not None and action != "create" else Record(superusers, {"email": email})
        )
        record.set("password", hashing.value(superusers, args.password) if hashing else args.password)
        try:
            await app.save(record)
        except ValidationErrors as exc:
            prefix = {
                "create": "failed to create new superuser account",
                "upsert": "failed to upsert superuser account",
                "update": f'failed to change superuser "{email}" password',
            }[action]
            raise CommandError(f"{prefix}: {_first_error(exc)}") from exc
        done = {
            "create": f'Successfully created new superuser "{email}"!',
            "upsert": f'Successfully saved superuser "{email}"!',
            "update": f'Successfully changed superuser "{email}" password!',
        }[action]
        print(done)
    elif action == "delete":
        if existing is None:
            print(f'superuser "{email}" is missing or already deleted')
            return
        try:
            await app.delete(existing)
        except Exception as exc:
            raise CommandError(f'failed to delete superuser "{email}": {exc}') from exc
        print(f'Successfully deleted superuser "{email}"!')
    elif action == "otp":
        await _superuser_otp(app, email, existing)
    elif action == "ips":
        app.settings.superuserIPs = list(args.ips)
        await save_settings(app.data, app.settings, app.config.encryption_env)
        if args.ips:
            print("Successfully updated SuperuserIPs setting:")
            for i, ip in enumerate(args.ips):
                print(("└─ " if i == len(args.ips) - 1 else "├─ ") + ip)
        else:
            print("Successfully cleared SuperuserIPs setting!")


async def _superuser_otp(app: App, email: str, superuser: Record | None) -> None:
    from pocketlite.core.record import Record  # the app's stack: see the imports
    from pocketlite.core.records import SUPERUSERS

    options = app.superusers().auth
    assert options is not None
    if not options.otp.enabled:
        raise CommandError(f"OTP auth is not enabled for the {SUPERUSERS} collection")
    if superuser is None:
        raise CommandError(f'superuser with email "{email}" doesn\'t exist')
    otps = app.find_collection("_otps")
    assert otps is not None
    password = random_digits(options.otp.length)
    otp = Record(
        otps, {"collectionRef": superuser.collection.id, "recordRef": superuser.id, "password": password}
    )
    await app.save(otp)
    print("Successfully created OTP for superuser " + f'"{email}":')
    print(f"├─ Id:    {otp.id}")
    print(f"├─ Pass:  {password}")
    print(f"└─ Valid: {options.otp.duration}s")


# --- serve ---------------------------------------------------------------------------------------


def _address(http: str) -> tuple[str, int]:
    host, sep, port = http.rpartition(":")
    if not sep:
        raise CommandError(f"listen tcp: address {http}: missing port in address")
    if not port.isdigit() or int(port) > 65535:
        raise CommandError(f"listen tcp: address {http}: invalid port")
    return host.strip("[]") or "0.0.0.0", int(port)


def _check_bindable(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"listen tcp {host}:{port}: bind: {exc.strerror.lower() if exc.strerror else exc}"
            ) from exc


def _lock_data_dir(data_dir: str) -> IO[str]:
    """Lock `pb_data/serve.lock` for as long as the returned file stays open. The granian workers
    forked from this process inherit the lock, so it lasts as long as the server; a second
    `serve` on the same data dir refuses to start. Other commands don't take it: like
    PocketBase's, they may run beside a server."""
    path = Path(data_dir) / _LOCK_FILE
    lock = try_lock(path)
    if lock is None:
        holder = path.read_text().strip()
        by = f" (pid {holder})" if holder.isdigit() else ""
        raise CommandError(f"{Path(data_dir).resolve()} is already served by another process{by}")
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def _warn_js_hooks(config: Config) -> None:
    # An app moving over from PocketBase brings pb_hooks/*.pb.js files that pocketlite doesn't
    # run: say so rather than ignore them silently.
    path = Path(config.hooks_dir)
    count = sum(1 for p in path.glob("*.pb.[jt]s") if p.is_file()) if path.is_dir() else 0
    if count:
        message = f"Warning: ignoring the {count} JS hooks file(s) in {os.path.normpath(config.hooks_dir)}"
        print(log_line(f"{message}: pocketlite runs pb_hooks/*.py"), file=sys.stderr)


def _program() -> str:
    """This program as the user can run it again: `python -m pocketlite`, the console script
    `pocketlite` found on PATH, or the path typed (`./pocketlite.pyz`)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "pocketlite.__main__":
        # The interpreter and its options as typed, up to and including `-m pocketlite`.
        return shlex.join(sys.orig_argv[: len(sys.orig_argv) - len(sys.argv) + 1])
    program = sys.argv[0]
    name = os.path.basename(program)
    found = shutil.which(name)
    if found is not None and os.path.exists(program) and os.path.samefile(found, program):
        return name
    if not os.path.dirname(program):
        program = os.path.join(".", program)  # a file in the current dir runs as `./name`
    return shlex.quote(program)


def _superuser_hint(config: Config) -> str:
    flags = ""
    if Path(config.data_dir).resolve() != Path(_DEFAULT_DIR).resolve():
        flags += " " + shlex.quote(f"--dir={config.data_dir}")
    if config.encryption_env:
        flags += " " + shlex.quote(f"--encryptionEnv={config.encryption_env}")
    return f"{_program()} superuser upsert EMAIL PASS{flags}"


def _serve(config: Config, args: argparse.Namespace) -> None:
    host, port = _address(args.http)
    _check_bindable(host, port)
    # Prepared (and checked) before locking: the lock file lives in the data dir.
    if args.workers > 1:
        install_token = _bootstrap(config)
    else:
        install_token = _bootstrap_while(config, _import_in_process_server)
    lock = _lock_data_dir(config.data_dir)
    _warn_js_hooks(config)
    base = f"http://{host}:{port}"
    print(log_line(f"Server started at {base}"))
    print(f"├─ REST API:  {base}/api/")
    print(f"└─ Dashboard: {base}/_/")
    if install_token is not None:
        print(
            "\n(!) Launch the URL below in the browser to create your first superuser account:\n"
            f"{base}/_/#/pbinstall/{install_token}\n"
            f"(you can also create your first superuser by running: {_superuser_hint(config)})\n"
        )
    sys.stdout.flush()

    with lock:
        options = _granian_options(config, host, port)
        if args.workers > 1:
            restart = _serve_workers(config, options, args.workers)
        else:
            restart = _serve_in_process(config, options)
        if restart:
            _restart_in_place(config)


def _bootstrap(config: Config) -> str | None:
    """Open the data dir (created and migrated as needed) and close it again; returns the
    installer's token, None once a superuser exists."""
    import asyncio  # the app's stack: see the imports

    from pocketlite.core.installer import installer_token
    from pocketlite.core.migrations import apply_app_migrations

    install_token: str | None = None

    async def bootstrap(app: App) -> None:
        nonlocal install_token
        # Pending migrations run once, here, before any worker starts (with the hooks loaded,
        # so model hooks fire for what they change).
        if config.migrations_dir:
            await apply_app_migrations(app, Path(config.migrations_dir))
        install_token = await installer_token(app)

    asyncio.run(_with_app(config, bootstrap))
    return install_token


def _bootstrap_while(config: Config, prepare: Callable[[], None]) -> str | None:
    """`_bootstrap` in a child process while this one runs `prepare`. On a fresh data dir the
    bootstrap mostly waits for SQLite's disk syncs: meanwhile the other core imports the web
    stack. A bootstrap that fails has said why in the child; this process exits as it did."""
    if not hasattr(os, "fork"):
        install_token = _bootstrap(config)
        prepare()
        return install_token
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        status = 1
        try:
            install_token = _bootstrap(config)
            # "+" and the token, or "-": a pipe closed early reads as a failed bootstrap.
            os.write(write_end, b"-" if install_token is None else b"+" + install_token.encode())
            status = 0
        except _failures() as exc:
            print(log_line(describe(exc)), file=sys.stderr)
        except KeyboardInterrupt:
            status = 130
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    os.close(write_end)
    try:
        prepare()
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            answer = pipe.read()
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if status != 0 or not answer:
        raise _Exit(status if status > 0 else 1)  # killed by a signal: a plain failure
    return answer[1:].decode() if answer[:1] == b"+" else None


def _import_in_process_server() -> None:
    """What `_serve_in_process` imports, imported ahead."""
    import granian.server.embed  # noqa: F401

    import pocketlite.apis.server  # noqa: F401


def _granian_options(config: Config, host: str, port: int) -> dict[str, Any]:
    """What granian's servers take alike, in process or with workers."""
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    return {
        "address": host,
        "port": port,
        "interface": Interfaces.ASGI,
        # Every open realtime stream holds a slot: granian's default (backlog / workers) would
        # hang the 1,025th connection silently (DESIGN.md, measured facts).
        "backlog": 4096,
        "backpressure": 20000,
        # Go's net/http reads up to 1 MiB (+4 KiB) of request line and headers where hyper's
        # default buffer stops near 400 KiB.
        "http1_settings": HTTP1Settings(max_buffer_size=(1 << 20) + 4096),
        "log_enabled": config.dev,
        # NB: no granian access log: with --dev the app's request logs are printed already.
        "log_access": False,
    }


def _serve_in_process(config: Config, options: dict[str, Any]) -> bool:
    """One worker: granian's embedded server runs the app in this process, on this process's
    event loop, so the server is one interpreter (a worker process would import and hold the
    whole stack a second time). Returns whether the app asked for a restart in place."""
    import asyncio  # the app's stack: see the imports

    from granian.server.embed import Server

    from pocketlite.apis import WORKERS_KILL_TIMEOUT
    from pocketlite.apis.server import configure_logging, create_asgi

    restart = False

    async def serve() -> None:
        def ask_restart() -> None:
            nonlocal restart
            restart = True
            server.stop()  # type: ignore[no-untyped-call]

        configure_logging(config)
        server = Server(create_asgi(config, ask_restart), **options)
        # The embedded server installs no signal handlers: stop on SIGINT/SIGTERM as the worker
        # processes do (the app's lifespan chains its own handler, ending realtime streams).
        server.workers_kill_timeout = WORKERS_KILL_TIMEOUT
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, server.stop)
        await server.serve()

    # uvloop (where it builds: not on Windows): the server thread hands each request to the loop,
    # and asyncio's cross-thread wake-ups cost twice libuv's (a bare app: 10k vs 21k req/s).
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve())
    else:
        uvloop.run(serve())
    return restart


def _serve_workers(config: Config, options: dict[str, Any], workers: int) -> bool:
    """Several worker processes, each running `asgi_from_env`; this process only supervises
    them. Returns whether a worker asked for a restart in place."""
    from granian.server import Server

    from pocketlite.apis import CONFIG_ENV, RESTART_SIGNAL, WORKERS_KILL_TIMEOUT
    from pocketlite.tools.pubsub import Hub

    # The workers share realtime events over a hub in this process (`tools/pubsub.py`).
    hub = Hub()
    hub.start()
    config = msgspec.structs.replace(config, bus=hub.endpoints)
    os.environ[CONFIG_ENV] = msgspec.json.encode(config).decode()
    restart = False
    server = Server(
        "pocketlite.apis.server:asgi_from_env",
        workers=workers,
        factory=True,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        **options,
    )

    def ask_restart(signum: int, frame: FrameType | None) -> None:
        # A worker asks (`app.restart()`): stop the server as a SIGTERM would, then restart.
        nonlocal restart
        restart = True
        server.signal_handler_interrupt()  # type: ignore[no-untyped-call]

    signal.signal(RESTART_SIGNAL, ask_restart)
    try:
        server.serve()
    finally:
        hub.close()
    return restart


def _restart_in_place(config: Config) -> None:
    """Every worker has stopped and closed the databases: put a restore the workers prepared in
    place, check that the data opens (else put the previous data back), and run this command
    again in this process, as PocketBase re-executes itself."""
    import asyncio  # the app's stack: see the imports

    from pocketlite.core.backup_restore import apply_pending_restore

    try:
        revert = apply_pending_restore(Path(config.data_dir).resolve())
    except OSError as exc:
        revert = None
        print(log_line(f"failed to restore the backup: {describe(exc)}"), file=sys.stderr)
    if revert is not None:
        try:
            asyncio.run(_with_app(config, _opened))
        except Exception as exc:
            print(
                log_line(f"the restored data doesn't open, keeping the previous data: {describe(exc)}"),
                file=sys.stderr,
            )
            revert()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, sys.orig_argv)


async def _opened(_: App) -> None:
    return None


# --- entry point ---------------------------------------------------------------------------------


def _run_command(config: Config, args: argparse.Namespace, hashing: _HashAhead | None) -> None:
    """A command that opens the app, does its work and closes it again."""
    import asyncio  # the app's stack: see the imports

    from pocketlite.plugins.migratecmd import migrate_command

    if args.command == "migrate":
        asyncio.run(_with_app(config, lambda app: migrate_command(app, args.args, config.migrations_dir)))
    else:
        asyncio.run(_with_app(config, lambda app: _superuser(app, args, hashing)))


def run(argv: Sequence[str]) -> int:
    """Run a command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(_normalize_bool_flags(argv))
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "superuser" and args.action is None:
        parser.parse_args(["superuser", "--help"])
        return 0
    hashing = None
    if args.command == "superuser" and args.action in ("create", "upsert", "update") and args.password:
        hashing = _HashAhead(args.password)  # first: see the imports
    try:
        config = _config(args)
        if args.command == "serve":
            _serve(config, args)
        else:
            _run_command(config, args, hashing)
    except _failures() as exc:
        print(log_line(describe(exc)), file=sys.stderr)
        return 1
    except _Exit as exc:
        return exc.status
    except KeyboardInterrupt:
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    status = run(sys.argv[1:])
    # The command closed what it opened. The interpreter's teardown then collects garbage over
    # every object of the ~300 modules imported (~15 ms of each CLI command): frozen, they are
    # freed all the same, without that search.
    gc.freeze()
    sys.exit(status)
