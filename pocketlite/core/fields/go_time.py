"""Datetimes as PocketBase's `types.DateTime` reads and prints them.

Input is tried against PocketBase's own layout (`2006-01-02 15:04:05.000Z`) and then the layouts
of `spf13/cast` (RFC 3339, dates, RFC 1123/822/850, ANSIC, Kitchen, ...), each parsed with the
rules of Go's `time.Parse`: spaces in a layout match runs of spaces, hours may have one digit, a
fraction may follow the seconds, day/month names ignore case, and `Mon` is not checked against
the date. Instants are kept as nanoseconds since the Unix epoch (years 0000-9999 are valid input,
which Python's `datetime` can't hold).
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["format_datetime", "go_time_string", "parse_datetime", "rfc3339"]

_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS
_ZERO_TIME = -62_135_596_800 * _NS  # Go's zero time.Time, 0001-01-01 00:00:00 UTC: the empty value

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

# PocketBase's own layout, then cast's. NB: cast keeps the wall clock of a zone *name* (`PST`) and
# calls it UTC; only `UTC`, `GMT+h` and numeric offsets move the instant.
_LAYOUTS: tuple[str, ...] = (
    "2006-01-02 15:04:05.000Z",
    "2006-01-02",
    "2006-01-02T15:04:05Z07:00",
    "2006-01-02T15:04:05",
    "Mon, 02 Jan 2006 15:04:05 -0700",
    "Mon, 02 Jan 2006 15:04:05 MST",
    "02 Jan 06 15:04 -0700",
    "02 Jan 06 15:04 MST",
    "Monday, 02-Jan-06 15:04:05 MST",
    "2006-01-02 15:04:05.999999999 -0700 MST",
    "2006-01-02T15:04:05-0700",
    "2006-01-02 15:04:05Z0700",
    "2006-01-02 15:04:05",
    "Mon Jan _2 15:04:05 2006",
    "Mon Jan _2 15:04:05 MST 2006",
    "Mon Jan 02 15:04:05 -0700 2006",
    "2006-01-02 15:04:05Z07:00",
    "02 Jan 2006",
    "2006-01-02 15:04:05 -07:00",
    "2006-01-02 15:04:05 -0700",
    "3:04PM",
    "Jan _2 15:04:05",
    "Jan _2 15:04:05.000",
    "Jan _2 15:04:05.000000",
    "Jan _2 15:04:05.000000000",
)

_CHUNK_RE = re.compile(
    r"Monday|Mon|Jan|MST|2006|15|01|02|_2|04|05|06|3|PM|-07:00|-0700|Z07:00|Z0700|\.0+|\.9+"
)


class _Fields:
    """What a layout read from the text; -1 marks a part the text didn't give."""

    __slots__ = ("day", "hour", "minute", "month", "nsec", "offset", "pm", "second", "year", "zone")

    def __init__(self) -> None:
        self.year, self.month, self.day = 0, -1, -1
        self.hour = self.minute = self.second = self.nsec = 0
        self.offset: int | None = None  # seconds east of UTC
        self.zone = ""  # a zone abbreviation
        self.pm: bool | None = None


def parse_datetime(text: str) -> int | None:
    """The instant in `text` (ns since the epoch, UTC), or None when no layout reads it.

    NB: the zero time (`0001-01-01 00:00:00Z`) counts as unparsed: PocketBase prints it as "".
    """
    if not text:
        return None
    for layout in _LAYOUTS:
        fields = _parse_layout(_chunks(layout), text)
        if fields is not None:
            instant = _instant(fields)
            return None if instant == _ZERO_TIME else instant
    return None


def format_datetime(instant: int) -> str:
    """PocketBase's `YYYY-MM-DD HH:MM:SS.mmmZ` (sub-millisecond digits dropped)."""
    year, month, day, hour, minute, second, nsec = _civil(instant)
    return (
        f"{_year(year)}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}.{nsec // 1_000_000:03d}Z"
    )


def rfc3339(instant: int) -> str:
    """Go's JSON form of a UTC time (RFC 3339 with trimmed nanoseconds), e.g. `2024-01-01T00:00:00Z`."""
    year, month, day, hour, minute, second, nsec = _civil(instant)
    return f"{_year(year)}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{_fraction(nsec)}Z"


def go_time_string(instant: int) -> str:
    """Go's `time.Time.String()` of a UTC time: `2024-01-01 00:00:00 +0000 UTC`."""
    year, month, day, hour, minute, second, nsec = _civil(instant)
    clock = f"{hour:02d}:{minute:02d}:{second:02d}{_fraction(nsec)}"
    return f"{_year(year)}-{month:02d}-{day:02d} {clock} +0000 UTC"


# --- layouts ----------------------------------------------------------------------------------


@cache
def _chunks(layout: str) -> tuple[str, ...]:
    """A layout split into std chunks and literal text, as Go's `nextStdChunk` sees it."""
    parts: list[str] = []
    pos = 0
    for found in _CHUNK_RE.finditer(layout):
        if found.start() > pos:
            parts.append("=" + layout[pos : found.start()])
        parts.append(found.group(0))
        pos = found.end()
    if pos < len(layout):
        parts.append("=" + layout[pos:])
    return tuple(parts)


def _parse_layout(chunks: tuple[str, ...], value: str) -> _Fields | None:
    """Go's `time.Parse` loop over one layout; None when the value doesn't fit it."""
    fields = _Fields()
    for index, chunk in enumerate(chunks):
        if chunk.startswith("="):
            rest = _skip(value, chunk[1:])
        else:
            nxt = chunks[index + 1] if index + 1 < len(chunks) else ""
            rest = _read_std(chunk, value, fields, nxt)
        if rest is None:
            return None
        value = rest
    if value:
        return None  # extra text
    return fields if _valid_date(fields) else None


def _skip(value: str, literal: str) -> str | None:
    """Match layout text; a space in the layout matches any run of spaces (or none at the end)."""
    while literal:
        if literal[0] == " ":
            if value and value[0] != " ":
                return None
            literal, value = literal.lstrip(" "), value.lstrip(" ")
            continue
        if not value or value[0] != literal[0]:
            return None
        literal, value = literal[1:], value[1:]
    return value


_NUMBERS = {  # std chunk → (field, fixed two digits, lowest, highest)
    "01": ("month", True, 1, 12),
    "02": ("day", True, 0, 99),
    "_2": ("day", False, 0, 99),
    "15": ("hour", False, 0, 23),
    "3": ("hour", False, 0, 12),
    "04": ("minute", True, 0, 59),
    "05": ("second", True, 0, 59),
}


def _read_std(chunk: str, value: str, f: _Fields, nxt: str) -> str | None:
    """One std chunk of Go's parse loop: the rest of the value, or None when it doesn't fit."""
    if chunk in _NUMBERS:
        return _read_number(chunk, value, f, nxt)
    if chunk == "2006":
        if len(value) < 4 or not (value[:4].isascii() and value[:4].isdigit()):
            return None
        f.year = int(value[:4])
        return value[4:]
    if chunk == "06":
        year = _atoi(value[:2]) if len(value) >= 2 else None
        if year is None:
            return None
        f.year = year + (1900 if year >= 69 else 2000)
        return value[2:]
    if chunk in ("Jan", "Mon", "Monday"):
        return _read_name(chunk, value, f)
    if chunk.startswith((".0", ".9")):
        return _fraction_chunk(chunk, value, f)
    if chunk == "PM":
        if value[:2] not in ("AM", "PM"):
            return None
        f.pm = value[:2] == "PM"
        return value[2:]
    if chunk == "MST":
        return _zone_name(value, f)
    return _numeric_zone(chunk, value, f)


def _read_number(chunk: str, value: str, f: _Fields, nxt: str) -> str | None:
    field, fixed, low, high = _NUMBERS[chunk]
    if chunk == "_2" and value.startswith(" "):
        value = value[1:]
    got = _getnum(value, fixed)
    if got is None or not low <= got[0] <= high:
        return None
    setattr(f, field, got[0])
    if chunk == "05" and not nxt.startswith((".0", ".9")):
        return _trailing_fraction(got[1], f)
    return got[1]


def _read_name(chunk: str, value: str, f: _Fields) -> str | None:
    """Month or weekday names, ASCII case-insensitive; weekdays are read and ignored."""
    names = _MONTHS if chunk == "Jan" else _DAYS
    for number, name in enumerate(names, start=1):
        word = name if chunk == "Monday" else name[:3]
        head = value[: len(word)]
        if head.isascii() and head.lower() == word:
            if chunk == "Jan":
                f.month = number
            return value[len(word) :]
    return None


def _trailing_fraction(value: str, f: _Fields) -> str:
    """Go accepts a fraction after the seconds even when the layout has none."""
    if len(value) >= 2 and value[0] in ".," and value[1].isdigit() and value[1].isascii():
        digits = re.match(r"[0-9]+", value[1:])
        assert digits is not None
        f.nsec = _nanoseconds(digits.group(0))
        return value[1 + digits.end() :]
    return value


def _fraction_chunk(chunk: str, value: str, f: _Fields) -> str | None:
    if chunk.startswith(".0"):  # exactly that many digits
        size = len(chunk)
        digits = value[1:size]
        if len(value) < size or value[0] not in ".," or not re.fullmatch(r"[0-9]+", digits):
            return None
        f.nsec = _nanoseconds(digits)
        return value[size:]
    if len(value) >= 2 and value[0] in ".," and value[1].isdigit() and value[1].isascii():
        return _trailing_fraction(value, f)
    return value  # an optional fraction that isn't there


def _numeric_zone(chunk: str, value: str, f: _Fields) -> str | None:
    if chunk.startswith("Z") and value.startswith("Z"):
        f.offset = 0
        return value[1:]
    colon = chunk.endswith(":00")
    size = 6 if colon else 5
    if len(value) < size or (colon and value[3] != ":"):
        return None
    sign, hours, minutes = value[0], value[1:3], value[4:6] if colon else value[3:5]
    if sign not in "+-" or not re.fullmatch(r"[0-9]{2}", hours) or not re.fullmatch(r"[0-9]{2}", minutes):
        return None
    hour_n, minute_n = int(hours), int(minutes)
    if hour_n > 24 or minute_n > 60:
        return None
    f.offset = (hour_n * 60 + minute_n) * 60 * (1 if sign == "+" else -1)
    return value[size:]


def _zone_name(value: str, f: _Fields) -> str | None:
    """Go's `parseTimeZone`: `UTC`, `GMT[+-h]`, `+hh`, or 3-5 capitals (4-5 ending in `T`)."""
    if value.startswith("UTC"):
        f.offset = 0
        return value[3:]
    if value[:4] in ("ChST", "MeST"):
        size = 4
    elif value.startswith("GMT"):
        size = 3 + _signed_offset_size(value[3:])
    elif value[:1] in ("+", "-"):
        size = _signed_offset_size(value)
        if size == 0:
            return None
    else:
        capitals = re.match(r"[A-Z]{0,6}", value)
        size = len(capitals.group(0)) if capitals else 0
        if size in (0, 1, 2, 6) or (size == 5 and value[4] != "T"):
            return None
        if size == 4 and value[3] != "T" and value[:4] != "WITA":
            return None
    f.zone = value[:size]
    return value[size:]


def _signed_offset_size(value: str) -> int:
    """Go's `parseSignedOffset`: the length of `+h`/`-hh` (hours up to 23), 0 if there is none."""
    found = re.match(r"[+-]([0-9]+)", value)
    if found is None or int(found.group(1)) > 23:
        return 0
    return found.end()


# --- arithmetic -------------------------------------------------------------------------------


def _getnum(value: str, fixed: bool) -> tuple[int, str] | None:
    if not value[:1].isdigit() or not value[:1].isascii():
        return None
    if not value[1:2].isdigit() or not value[1:2].isascii():
        return None if fixed else (int(value[0]), value[1:])
    return int(value[:2]), value[2:]


def _atoi(text: str) -> int | None:
    found = re.fullmatch(r"([+-]?)([0-9]+)", text)
    if found is None:
        return None
    return -int(found.group(2)) if found.group(1) == "-" else int(found.group(2))


def _nanoseconds(digits: str) -> int:
    return int(digits[:9].ljust(9, "0"))


def _valid_date(f: _Fields) -> bool:
    month = f.month if f.month >= 0 else 1
    day = f.day if f.day >= 0 else 1
    return 1 <= day <= _days_in(month, f.year)


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _instant(f: _Fields) -> int:
    hour = f.hour
    if f.pm is True and hour < 12:
        hour += 12
    elif f.pm is False and hour == 12:
        hour = 0
    month = f.month if f.month >= 0 else 1
    day = f.day if f.day >= 0 else 1
    days = _days_from_civil(f.year, month, day)
    wall = (days * 86_400 + hour * 3600 + f.minute * 60 + f.second) * _NS + f.nsec
    if f.offset is not None:
        return wall - f.offset * _NS
    if f.zone.startswith("GMT") and len(f.zone) > 3:
        # NB: Go gives an unknown `GMT+h` zone that offset and cast keeps the wall clock seen
        # from it as UTC, so `10:00 GMT+2` becomes 12:00 UTC.
        return wall + int(f.zone[3:]) * 3600 * _NS
    return wall


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _civil(instant: int) -> tuple[int, int, int, int, int, int, int]:
    days, rest = divmod(instant, _DAY_NS)
    seconds, nsec = divmod(rest, _NS)
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day, seconds // 3600, seconds // 60 % 60, seconds % 60, nsec


def _year(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def _fraction(nsec: int) -> str:
    return f".{nsec:09d}".rstrip("0") if nsec else ""
