"""Approximate dates: an event may be known to the day, the month or the year.

The date is stored as the first day of the period it names, next to a
precision field; pages show it at that precision ("April 2019").
"""

import datetime

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def truncate_to_precision(value, precision):
    if value is None or precision == DatePrecision.DAY:
        return value
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value.replace(month=1, day=1)


def period_end(value, precision):
    """The last day of the period a date names: the order in which to tell
    events ("2019" comes after "April 11, 2019": it may be any day of the
    year, and was reported by its end)."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        next_month = value.replace(day=28) + datetime.timedelta(days=4)
        return next_month - datetime.timedelta(days=next_month.day)
    return value


_FORMATS = {
    DatePrecision.DAY: "DATE_FORMAT",
    DatePrecision.MONTH: "YEAR_MONTH_FORMAT",
    DatePrecision.YEAR: "Y",
}


def format_approximate_date(value, precision):
    """The date as the active language writes it, at its precision."""
    if value is None:
        return ""
    return formats.date_format(value, _FORMATS.get(precision, "DATE_FORMAT"))


def precision_field(verbose_name):
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text=_("How precisely the date is known; a month or year is stored as its first day."),
    )
