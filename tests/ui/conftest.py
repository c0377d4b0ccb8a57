"""What every dashboard test shares: Debian's chromium driven by Playwright, a server of its own
with the superuser admin@example.com (and an SMTP sink when mail matters), a page signed in to
`/_/` whose console errors fail the test, and screenshots kept as test artefacts under
`build/ui-screenshots/<test>/` (override with UI_SCREENSHOTS). Each test module marks itself
`xdist_group("browser")`, so one worker runs them all with one browser."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

CHROMIUM = "/usr/bin/chromium"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "1234567890"
SCREENSHOTS = Path(os.environ.get("UI_SCREENSHOTS", Path(__file__).parents[2] / "build" / "ui-screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running while it is
    # open, and later tests of the same worker call asyncio.run().
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Admin:
    """A started server with the superuser ADMIN_EMAIL; `headers` authorize API calls."""

    server: Server
    headers: dict[str, str]
    sink: SMTPSink | None = None

    def api(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """An API call as the superuser (checks of what the screen did)."""
        return httpx.request(method, f"{self.server.url}{path}", headers=self.headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def _start(tmp_path: Path, sink: SMTPSink | None) -> Admin:
    (tmp_path / "site").mkdir(exist_ok=True)
    server = Server.pocketlite(tmp_path / "site" / "pb_data")
    server.create_superuser(ADMIN_EMAIL, ADMIN_PASSWORD)
    server.start()
    admin = Admin(server, {"Authorization": server.auth_token(ADMIN_EMAIL, ADMIN_PASSWORD)}, sink)
    settings: dict[str, object] = {"meta": {"appURL": server.url}}
    if sink is not None:
        settings["smtp"] = sink.settings()
    admin.api("PATCH", "/api/settings", json=settings).raise_for_status()
    return admin


@pytest.fixture()
def admin(tmp_path: Path) -> Iterator[Admin]:
    started = _start(tmp_path, None)
    try:
        yield started
    finally:
        started.server.stop()


@pytest.fixture()
def mailing(tmp_path: Path) -> Iterator[Admin]:
    """Like `admin`, mailing to an SMTP sink (`mailing.sink`)."""
    sink = SMTPSink()
    sink.start()
    try:
        started = _start(tmp_path, sink)
        try:
            yield started
        finally:
            started.server.stop()
    finally:
        sink.stop()


@dataclass
class ConsoleErrors:
    """Console errors of the test's pages; `expect` allows ones the flow causes on purpose."""

    seen: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    # Set when the test body is over: what pages log while fixtures stop the server is not the
    # flow's doing.
    over: bool = False

    def watch(self, page: Page) -> Page:
        page.on("console", lambda line: self._seen(line.text) if line.type == "error" else None)
        page.on("pageerror", lambda error: self._seen(f"uncaught: {error}"))
        return page

    def _seen(self, text: str) -> None:
        if not self.over:
            self.seen.append(text)

    def expect(self, pattern: str) -> None:
        self.allowed.append(pattern)

    def unexpected(self) -> list[str]:
        return [text for text in self.seen if not any(re.search(pattern, text) for pattern in self.allowed)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        yield
    finally:
        errors = getattr(item, "funcargs", {}).get("console")
        if isinstance(errors, ConsoleErrors):
            errors.over = True


@pytest.fixture()
def console() -> Iterator[ConsoleErrors]:
    errors = ConsoleErrors()
    yield errors
    assert errors.unexpected() == [], "console errors during the flow"


@pytest.fixture()
def new_page(browser: Browser, console: ConsoleErrors) -> Iterator[Callable[..., Page]]:
    """Pages of a fresh browser context each (own localStorage), console errors watched."""
    contexts = []

    def make(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        return console.watch(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def two_tabs(browser: Browser, console: ConsoleErrors) -> Iterator[Callable[[], tuple[Page, Page]]]:
    """Two pages of one browser context: tabs sharing localStorage (and BroadcastChannel)."""
    contexts = []

    def make() -> tuple[Page, Page]:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        return console.watch(context.new_page()), console.watch(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def signed_in(new_page: Callable[..., Page]) -> Callable[[Admin], Page]:
    """A page of the dashboard with the superuser's session already stored (as after a sign-in
    through the form, which tests/ui/test_dashboard.py covers)."""

    def make(admin: Admin, path: str = "#/collections") -> Page:
        page = new_page()
        auth = admin.api(
            "POST",
            "/api/collections/_superusers/auth-with-password",
            json={"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        ).json()
        session = json.dumps({"token": auth["token"], "record": auth["record"]})
        page.add_init_script(f"localStorage.setItem('__pb_superusers__/_', {json.dumps(session)})")
        page.goto(f"{admin.server.url}/_/{path}")
        return page

    return make


@pytest.fixture()
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Saves a screenshot of the page as `build/ui-screenshots/<test>/<name>.png`."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path)
        return path

    return take
