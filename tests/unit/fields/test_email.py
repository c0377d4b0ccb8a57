"""`email` (data-model.md §4.4), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import EmailField
from tests.unit.fields.support import REQUIRED, api_value, codes, settings_errors, value_error

INVALID = {"code": "validation_is_email", "message": "Must be a valid email address."}
NOT_ALLOWED = {"code": "validation_email_domain_not_allowed", "message": "Email domain is not allowed."}


def test_definition_json() -> None:
    assert EmailField(name="e").to_dict() == {
        "exceptDomains": [],
        "help": "",
        "hidden": False,
        "id": "email4024072794",
        "name": "e",
        "onlyDomains": [],
        "presentable": False,
        "required": False,
        "system": False,
        "type": "email",
    }


def test_input_is_not_trimmed() -> None:
    assert (api_value(EmailField(name="e"), " a@b.co "), value_error(EmailField(name="e"), " a@b.co ")) == (
        " a@b.co ",
        INVALID,
    )


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (EmailField(name="e", required=True), "", REQUIRED),
        (EmailField(name="e"), "", None),
        (EmailField(name="e"), "a@b", INVALID),
        (EmailField(name="e"), 5, INVALID),
        (EmailField(name="e"), "ñ@b.co", None),
        (EmailField(name="e", onlyDomains=["a.com"]), "x@b.com", NOT_ALLOWED),
        (EmailField(name="e", onlyDomains=["a.com"]), "x@a.com", None),
        (EmailField(name="e", exceptDomains=["b.com"]), "x@b.com", NOT_ALLOWED),
        (EmailField(name="e", exceptDomains=["b.com"]), "x@B.com", None),  # compared as written
    ],
)
def test_value_validation(field: EmailField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_only_one_domain_list_may_be_set() -> None:
    blank = {"code": "validation_empty", "message": "Must be blank."}
    assert settings_errors(EmailField(name="e", onlyDomains=["a.com"], exceptDomains=["b.com"])) == {
        "exceptDomains": blank,
        "onlyDomains": blank,
    }


def test_every_entry_must_be_a_domain() -> None:
    field = EmailField(name="e", onlyDomains=["not a domain", "ok.com", "localhost", "a.b:80", "AB.com"])
    assert codes(field) == {
        "onlyDomains": {
            "0": "validation_is_domain",
            "2": "validation_is_domain",
            "3": "validation_is_domain",
            "4": "validation_is_domain",
        }
    }
    assert settings_errors(field)["onlyDomains"]["0"]["message"] == "Must be a valid domain."
