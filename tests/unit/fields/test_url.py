"""`url` (data-model.md §4.4), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import URLField
from tests.unit.fields.support import REQUIRED, api_value, codes, value_error

INVALID = {"code": "validation_invalid_url", "message": "Must be a valid url."}
NOT_ALLOWED = {"code": "validation_url_domain_not_allowed", "message": "Url domain is not allowed."}


def test_definition_json() -> None:
    assert URLField(name="u").to_dict() == {
        "exceptDomains": [],
        "help": "",
        "hidden": False,
        "id": "url4067256894",
        "name": "u",
        "onlyDomains": [],
        "presentable": False,
        "required": False,
        "system": False,
        "type": "url",
    }


def test_casts() -> None:
    assert (api_value(URLField(name="u"), None), api_value(URLField(name="u"), 5)) == ("", "5")


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (URLField(name="u", required=True), "", REQUIRED),
        (URLField(name="u"), "not a url", INVALID),
        (URLField(name="u"), 5, INVALID),
        (URLField(name="u"), "https://example.com/a?b=1", None),
        (URLField(name="u", onlyDomains=["a.com"]), "https://a.com/x", None),
        (URLField(name="u", onlyDomains=["a.com"]), "https://a.com:8080/x", NOT_ALLOWED),  # the port counts
        (URLField(name="u", onlyDomains=["a.com"]), "a.com", NOT_ALLOWED),  # no "//", no host
        (URLField(name="u", onlyDomains=["a.com"]), "https://user@a.com", None),
        (URLField(name="u", exceptDomains=["bad.com"]), "http://bad.com", NOT_ALLOWED),
        (URLField(name="u", exceptDomains=["bad.com"]), "http://BAD.com", None),
    ],
)
def test_value_validation(field: URLField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_domain_settings() -> None:
    assert codes(URLField(name="u", exceptDomains=["a.com:8080", "x"])) == {
        "exceptDomains": {"0": "validation_is_domain", "1": "validation_is_domain"}
    }
    assert codes(URLField(name="u", onlyDomains=["a.com"], exceptDomains=["b.com"])) == {
        "exceptDomains": "validation_empty",
        "onlyDomains": "validation_empty",
    }
