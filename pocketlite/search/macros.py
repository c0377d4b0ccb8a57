"""The `@now`-style datetime macros of filters (filter-and-rules.md §5), evaluated per build."""

from __future__ import annotations

import calendar
import datetime as _dt
from collections.abc import Callable
from typing import Any

from pocketlite.tools.types import format_datetime

__all__ = ["MACROS"]


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _day_start(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _day_end(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(hour=23, minute=59, second=59, microsecond=999999)


def _month_end(moment: _dt.datetime) -> _dt.datetime:
    return _day_end(moment.replace(day=calendar.monthrange(moment.year, moment.month)[1]))


def _fmt(moment: _dt.datetime) -> str:
    return format_datetime(moment)


MACROS: dict[str, Callable[[], Any]] = {
    "@now": lambda: _fmt(_now()),
    "@yesterday": lambda: _fmt(_now() - _dt.timedelta(days=1)),
    "@tomorrow": lambda: _fmt(_now() + _dt.timedelta(days=1)),
    "@second": lambda: _now().second,
    "@minute": lambda: _now().minute,
    "@hour": lambda: _now().hour,
    "@day": lambda: _now().day,
    "@month": lambda: _now().month,
    # NB: Go numbers weekdays from Sunday = 0.
    "@weekday": lambda: (_now().weekday() + 1) % 7,
    "@year": lambda: _now().year,
    "@todayStart": lambda: _fmt(_day_start(_now())),
    "@todayEnd": lambda: _fmt(_day_end(_now())),
    "@monthStart": lambda: _fmt(_day_start(_now().replace(day=1))),
    "@monthEnd": lambda: _fmt(_month_end(_now())),
    "@yearStart": lambda: _fmt(_day_start(_now().replace(month=1, day=1))),
    "@yearEnd": lambda: _fmt(_day_end(_now().replace(month=12, day=31))),
}
