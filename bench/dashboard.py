"""The dashboard's weight and first load: pocketlite's `/_/` against PocketBase 0.40.6's own.

    python -m bench.dashboard [--rounds 5] [--pocketlite "python -m pocketlite"] [--json out.json]

Both servers run on fresh data dirs with the same superuser, and Debian's chromium (driven by
Playwright) loads each dashboard in a fresh browser context (empty cache) every round; the servers
alternate and swap who goes first each round. Figures per server:

- **first-load bytes**: every non-API response the browser fetched until the screen was usable
  (the sign-in page; and, signed in, the collections page), raw and gzip-compressed (level 6, as a
  reverse proxy would serve them; neither server compresses these itself);
- **sign-in page**: from navigation to the sign-in form's password input being visible;
- **collections page**: with a stored session, from navigation to the `users` collection being
  listed (the shared state loaded: collections, settings, ...).

Times are wall-clock on localhost, so they mostly measure parsing and rendering; the min-max over
the rounds is reported, with the ratio pocketlite / PocketBase of the medians (lower is better).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Response, sync_playwright

from bench.records import PASSWORD, Target, both_servers

CHROMIUM = "/usr/bin/chromium"
EMAIL = "admin@example.com"


@dataclass
class Figures:
    raw: list[int] = field(default_factory=list)
    gzipped: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    sign_in: list[float] = field(default_factory=list)
    collections: list[float] = field(default_factory=list)
    signed_in_gzipped: list[int] = field(default_factory=list)


def _session(target: Target) -> str:
    auth = httpx.post(
        f"{target.url}/api/collections/_superusers/auth-with-password",
        json={"identity": EMAIL, "password": PASSWORD},
    ).json()
    return json.dumps({"token": auth["token"], "record": auth["record"]})


def _load(browser: Browser, url: str, ready: str, session: str | None) -> tuple[float, list[bytes]]:
    """Seconds until `ready` is visible on a cold load of `url`, and the static bodies fetched."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    bodies: list[bytes] = []
    pending: list[Response] = []
    try:
        page: Page = context.new_page()
        if session is not None:
            page.add_init_script(f"localStorage.setItem('__pb_superusers__/_', {json.dumps(session)})")
        page.on(
            "response", lambda response: pending.append(response) if "/api/" not in response.url else None
        )
        started = time.perf_counter()
        page.goto(url)
        page.locator(ready).first.wait_for(state="visible", timeout=30_000)
        elapsed = time.perf_counter() - started
        page.wait_for_load_state("networkidle")
        for response in pending:
            if response.ok and response.request.method == "GET" and not response.url.startswith("data:"):
                bodies.append(response.body())
        return elapsed, bodies
    finally:
        context.close()


def measure(browser: Browser, target: Target, session: str, figures: Figures) -> None:
    seconds, bodies = _load(browser, f"{target.url}/_/", "input[type=password]", None)
    figures.sign_in.append(seconds)
    figures.raw.append(sum(len(body) for body in bodies))
    figures.gzipped.append(sum(len(gzip.compress(body, 6)) for body in bodies))
    figures.requests.append(len(bodies))
    seconds, bodies = _load(browser, f"{target.url}/_/#/collections", "text=users >> visible=true", session)
    figures.collections.append(seconds)
    figures.signed_in_gzipped.append(sum(len(gzip.compress(body, 6)) for body in bodies))


def _span(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    return f"{min(values) * scale:.{digits}f}-{max(values) * scale:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()

    _, targets = both_servers("bench-dashboard-", args.pocketlite)
    figures = {target.name: Figures() for target in targets}
    sessions: dict[str, str] = {}
    try:
        for target in targets:
            target.data_dir.parent.mkdir(parents=True)
            target.cli("superuser", "upsert", EMAIL, PASSWORD)
            target.start()
            sessions[target.name] = _session(target)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for round_ in range(args.rounds):
                order = targets if round_ % 2 == 0 else targets[::-1]
                for target in order:
                    measure(browser, target, sessions[target.name], figures[target.name])
            browser.close()
    finally:
        for target in targets:
            target.stop()

    mine, theirs = figures["pocketlite"], figures["PocketBase"]
    rows = [
        ("sign-in first load, requests", _span(mine.requests), _span(theirs.requests), ""),
        ("sign-in first load, raw (KiB)", _span(mine.raw, 1 / 1024), _span(theirs.raw, 1 / 1024), ""),
        (
            "sign-in first load, gzip (KiB)",
            _span(mine.gzipped, 1 / 1024, 1),
            _span(theirs.gzipped, 1 / 1024, 1),
            f"{statistics.median(mine.gzipped) / statistics.median(theirs.gzipped):.2f}",
        ),
        (
            "signed-in first load, gzip (KiB)",
            _span(mine.signed_in_gzipped, 1 / 1024, 1),
            _span(theirs.signed_in_gzipped, 1 / 1024, 1),
            f"{statistics.median(mine.signed_in_gzipped) / statistics.median(theirs.signed_in_gzipped):.2f}",
        ),
        (
            "sign-in page shown (ms)",
            _span(mine.sign_in, 1000),
            _span(theirs.sign_in, 1000),
            f"{statistics.median(mine.sign_in) / statistics.median(theirs.sign_in):.2f}",
        ),
        (
            "collections page shown (ms)",
            _span(mine.collections, 1000),
            _span(theirs.collections, 1000),
            f"{statistics.median(mine.collections) / statistics.median(theirs.collections):.2f}",
        ),
    ]
    title = f"figure (min-max over {args.rounds} rounds)"
    print(f"\n{title:<34} {'pocketlite':>14} {'PocketBase':>14} {'ratio':>7}")
    for name, left, right, ratio in rows:
        print(f"{name:<34} {left:>14} {right:>14} {ratio:>7}")
    if args.json:
        report: dict[str, Any] = {name: vars(value) for name, value in figures.items()}
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)


if __name__ == "__main__":
    main()
