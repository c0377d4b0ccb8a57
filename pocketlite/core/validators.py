"""Reusable value rules with PocketBase's (ozzo-validation's) codes, messages and params.

Each rule takes the value and returns a `ValidationError` or None; like ozzo, every rule but
`required` lets empty values through. `first_error` runs rules in order and stops at the first
failure, which is how PocketBase reports one error per key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sized
from typing import Any

from pocketlite.core.errors import ValidationError

__all__ = [
    "Rule",
    "equal_to",
    "first_error",
    "is_empty",
    "length",
    "match",
    "max_value",
    "min_value",
    "must_be_nil",
    "nil_or_not_empty",
    "not_in",
    "one_of",
    "required",
]

Rule = Callable[[Any], ValidationError | None]


def is_empty(value: Any) -> bool:
    """ozzo's emptiness: None, "", 0, False and empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 0
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def first_error(value: Any, *rules: Rule) -> ValidationError | None:
    """The first failing rule's error."""
    for rule in rules:
        error = rule(value)
        if error is not None:
            return error
    return None


def required(value: Any) -> ValidationError | None:
    """Not empty."""
    return ValidationError("validation_required", "Cannot be blank.") if is_empty(value) else None


def must_be_nil(value: Any) -> ValidationError | None:
    """Exactly null (view collections' write rules)."""
    return ValidationError("validation_nil", "Must be blank.") if value is not None else None


def nil_or_not_empty(value: Any) -> ValidationError | None:
    """Null, or a non-empty value."""
    return (
        ValidationError("validation_nil_or_not_empty_required", "Cannot be blank.") if value == "" else None
    )


def length(min_len: int, max_len: int) -> Rule:
    """Length in characters (or items) within bounds; 0 means unbounded on that side. As ozzo's
    rule, the error's params always carry both bounds."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value):
            return None
        n = len(value)
        if (min_len and n < min_len) or (max_len and n > max_len):
            if min_len and max_len:
                if min_len == max_len:
                    return ValidationError(
                        "validation_length_invalid",
                        f"The length must be exactly {min_len}.",
                        {"max": max_len, "min": min_len},
                    )
                return ValidationError(
                    "validation_length_out_of_range",
                    f"The length must be between {min_len} and {max_len}.",
                    {"max": max_len, "min": min_len},
                )
            if min_len:
                return ValidationError(
                    "validation_length_too_short",
                    f"The length must be no less than {min_len}.",
                    {"max": max_len, "min": min_len},
                )
            return ValidationError(
                "validation_length_too_long",
                f"The length must be no more than {max_len}.",
                {"max": max_len, "min": min_len},
            )
        return None

    return rule


def match(pattern: str | re.Pattern[str]) -> Rule:
    """The string matches the regex."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or regex.search(str(value)):
            return None
        return ValidationError("validation_match_invalid", "Must be in a valid format.")

    return rule


def one_of(allowed: Collection[Any]) -> Rule:
    """The value is one of `allowed`."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or value in allowed:
            return None
        return ValidationError("validation_in_invalid", "Must be a valid value.")

    return rule


def not_in(forbidden: Collection[Any]) -> Rule:
    """The value is none of `forbidden`."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or value not in forbidden:
            return None
        return ValidationError("validation_not_in_invalid", "Must not be in list.")

    return rule


def min_value(threshold: float) -> Rule:
    """A number no less than `threshold`."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or value >= threshold:
            return None
        return ValidationError(
            "validation_min_greater_equal_than_required",
            f"Must be no less than {_number(threshold)}.",
            {"threshold": threshold},
        )

    return rule


def max_value(threshold: float) -> Rule:
    """A number no greater than `threshold`."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or value <= threshold:
            return None
        return ValidationError(
            "validation_max_less_equal_than_required",
            f"Must be no greater than {_number(threshold)}.",
            {"threshold": threshold},
        )

    return rule


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def equal_to(expected: Any) -> Rule:
    """The value equals `expected` (a confirmation field)."""

    def rule(value: Any) -> ValidationError | None:
        if is_empty(value) or value == expected:
            return None
        return ValidationError("validation_values_mismatch", "Values don't match.")

    return rule
