"""Dates as the model counts them: decimal years of twelve equal months.

A year is counted in twelve equal months, so that quarterly or monthly steps from a
first-of-month start fall on the first of a month: 1 October 1949 is 1949.75.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def decimal_year_of(date: dt.date) -> float:
    """The decimal year of a calendar date."""
    return date.year + (date.month - 1 + (date.day - 1) / days_in(date.year, date.month)) / 12


def parse_date(text: str) -> dt.date:
    """'1956-02-25', '1956-02' or '1956' as a date; ValueError if it is not a possible one."""
    parts = text.strip().split("-")
    if not 1 <= len(parts) <= 3:
        raise ValueError(text)
    numbers = [int(p) for p in parts] + [1, 1]
    return dt.date(numbers[0], numbers[1], numbers[2])


def calendar_date(year: float) -> dt.date:
    """The date of a decimal year (the inverse of decimal_year_of, to the day)."""
    whole = int(math.floor(year + 1e-9))
    months = max(0.0, (year - whole) * 12 + 1e-9)
    month = min(12, int(months) + 1)
    day = 1 + int((months - (month - 1)) * days_in(whole, month) + 1e-6)
    return dt.date(whole, month, min(day, days_in(whole, month)))


def iso_date(year: float) -> str:
    """A decimal year as YYYY-MM-DD."""
    return calendar_date(year).isoformat()


def month_year(year: float | None) -> str:
    """1949.75 (1 October) -> 'Oct 1949'; None -> '-'."""
    if year is None:
        return "-"
    date = calendar_date(year)
    return f"{MONTHS[date.month - 1]} {date.year}"


def year_key(year: float) -> str:
    """A milestone year as a key (in JSON, in column names): '1960', or '1960.5' for a year
    that is not whole."""
    return str(int(year) if float(year).is_integer() else year)
