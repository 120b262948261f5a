"""Template helpers for the public pages: approximate dates, language links, the chart."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info

from cases.dates import DatePrecision, format_approximate_date

register = template.Library()

# The machine-readable twin of an approximate date: "2019", "2019-04" or "2019-04-11".
_ISO_FORMATS = {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%Y-%m", DatePrecision.DAY: "%Y-%m-%d"}


@register.simple_tag
def approx_date(value, precision):
    """A <time> element showing the date only as precisely as it is known."""
    if value is None:
        return ""
    machine = value.strftime(_ISO_FORMATS.get(precision, "%Y-%m-%d"))
    return format_html('<time datetime="{}">{}</time>', machine, format_approximate_date(value, precision))


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in every language; pages that resolve to no view link to that language's home.

    Plain links rather than the set_language form: a form would carry a CSRF
    token, making every page (the 404 included) differ per visitor.
    """
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    here = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(here, code)
        if url == here and code != current:
            url = translate_url(reverse("home"), code)
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": url, "is_current": code == current})
    return links


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """Absolute URL for OpenGraph and canonical links; never echoes the query string."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


CHART_HEIGHT = 100


@register.inclusion_tag("cases/_detained_chart.html")
def detained_chart(series):
    """A step chart of (month, count) pairs, drawn server-side as inline SVG.

    Months with the same count merge into one bar, which keeps the markup small
    on slow connections. Labels stay in HTML around the SVG: text inside a
    stretched viewBox would shrink to nothing on a phone.
    """
    if not series:
        return {"bars": []}
    peak = max(count for _month, count in series)
    peak_month = next(month for month, count in series if count == peak)
    bars = []
    for index, (month, count) in enumerate(series):
        if bars and bars[-1]["count"] == count:
            bars[-1]["width"] += 1
            bars[-1]["last"] = month
            continue
        height = round(count / peak * CHART_HEIGHT, 2) if peak else 0
        bars.append(
            {
                "x": index,
                "width": 1,
                "y": CHART_HEIGHT - height,
                "height": height,
                "count": count,
                "first": month,
            }
        )
        bars[-1]["last"] = month
    for bar in bars:
        bar["label"] = " – ".join(
            dict.fromkeys(format_approximate_date(bar[end], DatePrecision.MONTH) for end in ("first", "last"))
        )
    return {
        "bars": [bar for bar in bars if bar["height"]],
        "width": len(series),
        "height": CHART_HEIGHT,
        "first_month": series[0][0],
        "last_month": series[-1][0],
        "now": series[-1][1],
        "peak": peak,
        "peak_label": format_approximate_date(peak_month, DatePrecision.MONTH),
    }


@register.simple_tag
def facility_link(facility):
    """A link to a facility, for use inside translated sentences."""
    return format_html('<a href="{}">{}</a>', facility.get_absolute_url(), facility.name)
