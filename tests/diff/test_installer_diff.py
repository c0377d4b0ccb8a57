"""The first-run installer (auth-api.md §15) against PocketBase 0.40.6: both print a link whose
token lists the placeholder superuser, creates the first real one, and then no longer works."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server
from tests.support.waiting import eventually

pytestmark = pytest.mark.xdist_group("diff")

SUPERUSERS = "/api/collections/_superusers/records"
_LINK = re.compile(r"/_/#/pbinstall/([\w.-]+)")


@pytest.fixture(scope="module")
def fresh_pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[tuple[Server, Server], tuple[str, str]]]:
    """Both servers started on empty data dirs, and the token of each one's installer link."""
    servers = (
        Server.pocketlite(tmp_path_factory.mktemp("installer_pocketlite") / "pb_data"),
        Server.pocketbase(tmp_path_factory.mktemp("installer_pocketbase") / "pb_data"),
    )
    try:
        tokens = []
        for server in servers:
            server.start()
            # PocketBase prints the link once it serves, a moment after its first answer.
            assert eventually(lambda s=server: _LINK.search(s.log_path.read_text()) is not None)
            found = _LINK.search(server.log_path.read_text())
            assert found is not None
            tokens.append(found.group(1))
        yield servers, (tokens[0], tokens[1])
    finally:
        for server in servers:
            server.stop()


FLOW = [
    Case("the placeholder is the only superuser", "GET", SUPERUSERS, auth=True),
    Case(
        "the token creates the first superuser",
        "POST",
        SUPERUSERS,
        json={"email": "first@example.com", "password": "1234567890", "passwordConfirm": "1234567890"},
        auth=True,
    ),
    Case("then it is no superuser's token", "GET", SUPERUSERS, auth=True),
    Case("nor can it create another", "POST", SUPERUSERS, json={"email": "second@example.com"}, auth=True),
]


def test_the_installer_flow(fresh_pair: tuple[tuple[Server, Server], tuple[str, str]]) -> None:
    (ours, theirs), (our_token, their_token) = fresh_pair
    for case in FLOW:
        compare(case, case.send(ours, our_token), case.send(theirs, their_token))
    sign_in = Case(
        "the new superuser signs in",
        "POST",
        "/api/collections/_superusers/auth-with-password",
        json={"identity": "first@example.com", "password": "1234567890"},
    )
    compare(sign_in, sign_in.send(ours, ""), sign_in.send(theirs, ""))
