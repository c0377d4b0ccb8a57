"""The command line: PocketBase's commands and flags (spec/cli.md), wired to the App."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from pocketlite import POCKETBASE_VERSION, __version__
from pocketlite.app import App, Config
from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.email import is_email
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS, delete_record, find_first_record_by_data, save_record
from pocketlite.core.settings import save_settings
from pocketlite.tools.security import random_digits

__all__ = ["main"]

# Go-style boolean flags also accept `--flag=true|false`.
_BOOL_FLAGS = ("dev", "indexFallback")


class CommandError(Exception):
    """A failure printed as `YYYY/MM/DD HH:MM:SS <message>`, exit status 1."""


def _log_line(message: str) -> str:
    return time.strftime("%Y/%m/%d %H:%M:%S ") + message


# --- arguments -----------------------------------------------------------------------------------


def _common_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global flags")
    group.add_argument("--dir", default="./pb_data", help='the data directory (default "./pb_data")')
    group.add_argument(
        "--dev",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="enable dev mode, aka. printing logs to the console",
    )
    group.add_argument(
        "--encryptionEnv", default="", help="the env variable whose 32-character value encrypts the settings"
    )
    group.add_argument("--hooksDir", default="", help="the directory with the Python app hooks")
    group.add_argument("--migrationsDir", default="", help="the directory with the user defined migrations")
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
    return parser


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
    )


# --- superuser -----------------------------------------------------------------------------------


def _first_error(errors: ValidationErrors) -> str:
    return "; ".join(
        f"{name}: {error.to_dict()['message'] if isinstance(error, ValidationError) else 'invalid'}"
        for name, error in sorted(errors.errors.items())
    )


async def _with_app(config: Config, run: Callable[[App], Awaitable[None]]) -> None:
    app = App(config)
    await app.start()
    try:
        await run(app)
    finally:
        await app.stop()


async def _superuser(app: App, args: argparse.Namespace) -> None:
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
        record.set("password", args.password)
        try:
            await save_record(app.data, record)
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
            await delete_record(app.data, existing)
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
    await save_record(app.data, otp)
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


def _serve(config: Config, args: argparse.Namespace) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    from pocketlite.apis import CONFIG_ENV

    host, port = _address(args.http)
    _check_bindable(host, port)
    has_superuser = False

    async def bootstrap(app: App) -> None:
        nonlocal has_superuser
        has_superuser = await app.has_superuser()

    asyncio.run(_with_app(config, bootstrap))
    base = f"http://{host}:{port}"
    print(_log_line(f"Server started at {base}"))
    print(f"├─ REST API:  {base}/api/")
    print(f"└─ Dashboard: {base}/_/")
    if not has_superuser:
        print("\nNo superuser yet. Create one with:")
        print(f"  pocketlite superuser upsert EMAIL PASS --dir={config.data_dir}")
    sys.stdout.flush()

    os.environ[CONFIG_ENV] = msgspec.json.encode(config).decode()
    Server(
        "pocketlite.apis.server:asgi_from_env",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=max(1, args.workers),
        factory=True,
        # Every open realtime stream holds a slot: granian's default (backlog / workers) would
        # hang the 1,025th connection silently (DESIGN.md, measured facts).
        backlog=4096,
        backpressure=20000,
        log_enabled=config.dev,
        log_access=config.dev,
    ).serve()


# --- entry point ---------------------------------------------------------------------------------


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
    try:
        config = _config(args)
        if args.command == "serve":
            _serve(config, args)
        else:
            asyncio.run(_with_app(config, lambda app: _superuser(app, args)))
    except (CommandError, OSError, ValueError) as exc:
        print(_log_line(str(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def main() -> None:
    """Console entry point."""
    sys.exit(run(sys.argv[1:]))
