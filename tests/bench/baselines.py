# ruff: noqa: S608 - the SQL is assembled from constant fragments; values go as parameters.
"""The physical limit each benchmarked endpoint is compared with: the same
response data, produced with hand-written SQL on a raw cursor and orjson (for
HTML pages, a minimal string template).

Nothing here is application code: it answers "how fast could this response
be?", so a benchmark ratio says how much the framework and the app add. The
publication rule is restated in SQL (PUBLIC) on purpose, for this comparison
only; run.py checks every baseline against the real response.
"""

import datetime
import hashlib
from html import escape
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from cases.models import LegalEventKind, LegalEventOutcome, Status

# SQLite hands back naive UTC datetimes; DRF writes UTC as "Z".
JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
PUBLIC = "c.is_public AND (c.person_id IS NULL OR c.person_consents)"
BASE_URL = "http://testserver"

CASE_COLUMNS = """
    c.reference, c.person_id, c.group_name, p.full_name, c.status, c.status_since,
    c.status_since_precision, f.slug, f.name, f.city, f.region, f.country, c.summary,
    p.consent_to_publish, p.summary_consent, c.private_notes, c.is_public, c.opened_on,
    c.closed_on, c.created_at, c.updated_at"""
CASE_JOINS = """
    FROM cases_case c
    LEFT JOIN people_person p ON p.id = c.person_id
    LEFT JOIN cases_custody cu ON cu.case_id = c.id AND cu.ended_on IS NULL
    LEFT JOIN cases_facility f ON f.id = cu.facility_id"""


def instant(value):
    """A datetime as the database compares it (SQLite stores text without an offset)."""
    return connection.ops.adapt_datetimefield_value(value)


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def labels():
    """Status labels in the active language, looked up once per response."""
    return {code: str(label) for code, label in Status.choices}


def case_document(row, status_labels, *, advocate):
    (
        reference,
        person_id,
        group_name,
        full_name,
        status,
        status_since,
        precision,
        slug,
        name,
        city,
        region,
        country,
        summary,
        consents,
        summary_consent,
        private_notes,
        is_public,
        opened_on,
        closed_on,
        created_at,
        updated_at,
    ) = row
    document = {
        "reference": reference,
        "person": person_id,
        "group_name": group_name,
        "subject_name": full_name if person_id else group_name,
        "status": status,
        "status_label": status_labels[status],
        "status_since": status_since,
        "status_since_precision": precision,
        "current_facility": (
            {"slug": slug, "name": name, "city": city, "region": region, "country": country} if slug else None
        ),
        "is_public": bool(is_public),
        "opened_on": opened_on,
        "closed_on": closed_on,
        "created_at": created_at,
        "updated_at": updated_at,
    }
    if advocate or person_id is None or (consents and summary_consent):
        document["summary"] = summary
    if advocate:
        document["private_notes"] = private_notes
    return document


def api_case_list(*, advocate, page_size=100):
    where = "" if advocate else f"WHERE {PUBLIC}"
    count = rows(f"SELECT COUNT(*) FROM cases_case c {where}")
    page = rows(
        f"SELECT {CASE_COLUMNS} {CASE_JOINS} {where} ORDER BY c.opened_on DESC, c.reference LIMIT %s",
        [page_size],
    )
    status_labels = labels()
    total = count[0][0]
    query = urlencode({"page": 2, "page_size": page_size})
    return orjson.dumps(
        {
            "count": total,
            "next": f"{BASE_URL}/api/v1/cases/?{query}" if total > page_size else None,
            "previous": None,
            "cursor": None,
            "results": [case_document(row, status_labels, advocate=advocate) for row in page],
        },
        option=JSON_OPTIONS,
    )


def api_case_detail(reference):
    (row,) = rows(f"SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE c.reference = %s AND {PUBLIC}", [reference])
    return orjson.dumps(case_document(row, labels(), advocate=False), option=JSON_OPTIONS)


def status_document(reference):
    """The status document and its ETag, built as the view builds them."""
    ((reference, status, since, precision, slug, name, city, region, country, updated_at),) = rows(
        f"""SELECT c.reference, c.status, c.status_since, c.status_since_precision,
                   f.slug, f.name, f.city, f.region, f.country, c.updated_at
            {CASE_JOINS} WHERE c.reference = %s AND {PUBLIC}""",
        [reference],
    )
    body = orjson.dumps(
        {
            "reference": reference,
            "status": status,
            "status_label": labels()[status],
            "status_since": since,
            "status_since_precision": precision,
            "current_facility": (
                {"slug": slug, "name": name, "city": city, "region": region, "country": country}
                if slug
                else None
            ),
            "updated_at": updated_at,
        },
        option=JSON_OPTIONS,
    )
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def api_status(reference, if_none_match=None):
    body, etag = status_document(reference)
    return b"" if etag == if_none_match else body


def settle_horizon():
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.API_CHANGES_SETTLE_SECONDS)
    # The window's ids, not MIN(id), which SQLite answers by walking the whole log.
    window = rows("SELECT id FROM cases_casechange WHERE changed_at > %s", [instant(cutoff)])
    return min((id_ for (id_,) in window), default=2**63 - 1)


def next_link(path, params, cursor):
    return f"{BASE_URL}{path}?{urlencode(sorted({**params, 'after': cursor}.items()))}"


def api_updated_since(updated_since, after, page_size=100):
    """Cases changed since an instant, in the order of their latest change,
    paged by the change-log cursor."""
    page = rows(
        f"""SELECT {CASE_COLUMNS}, latest.last_change_id
            FROM (SELECT case_id, MAX(id) AS last_change_id FROM cases_casechange
                  WHERE changed_at >= %s AND id > %s AND id < %s GROUP BY case_id) latest
            JOIN cases_case c ON c.id = latest.case_id
            LEFT JOIN people_person p ON p.id = c.person_id
            LEFT JOIN cases_custody cu ON cu.case_id = c.id AND cu.ended_on IS NULL
            LEFT JOIN cases_facility f ON f.id = cu.facility_id
            WHERE {PUBLIC} ORDER BY latest.last_change_id LIMIT %s""",
        [instant(updated_since), after, settle_horizon(), page_size + 1],
    )
    has_next = len(page) > page_size
    page = page[:page_size]
    cursor = page[-1][-1] if page else after
    status_labels = labels()
    params = {"updated_since": updated_since.isoformat().replace("+00:00", "Z"), "page_size": page_size}
    return orjson.dumps(
        {
            "count": None,
            "next": next_link("/api/v1/cases/", params, cursor) if has_next else None,
            "previous": None,
            "cursor": cursor,
            "results": [case_document(row[:-1], status_labels, advocate=False) for row in page],
        },
        option=JSON_OPTIONS,
    )


def api_changes(after, page_size=100):
    page = rows(
        f"""SELECT ch.id, c.reference, ch.kind, ch.changed_at FROM cases_casechange ch
            JOIN cases_case c ON c.id = ch.case_id
            WHERE ch.id > %s AND ch.id < %s AND {PUBLIC} ORDER BY ch.id LIMIT %s""",
        [after, settle_horizon(), page_size + 1],
    )
    has_next = len(page) > page_size
    page = page[:page_size]
    cursor = page[-1][0] if page else after
    return orjson.dumps(
        {
            "next": next_link("/api/v1/changes/", {"page_size": page_size}, cursor) if has_next else None,
            "cursor": cursor,
            "results": [
                {"id": id_, "case": reference, "kind": kind, "changed_at": changed_at}
                for id_, reference, kind, changed_at in page
            ],
        },
        option=JSON_OPTIONS,
    )


def not_found():
    return orjson.dumps({"detail": str(_("Not found."))})


# ---------------------------------------------------------------- HTML pages


def page(title, body, language):
    return f'<!doctype html><html lang="{language}"><head><title>{escape(title)}</title></head><body>{body}</body></html>'


def custody_days(custodies, today):
    return sum(((ended_on or today) - started_on).days for started_on, ended_on in custodies)


def public_case_list(language, page_size=25):
    """The public list's first page: its country choices, count and rows."""
    with translation.override(language):
        status_labels = labels()
        # Once per country, as the filter asks; the test in the SELECT list, not
        # in WHERE, where PostgreSQL joins every public custody row instead.
        held_in = rows(
            f"""SELECT country, EXISTS (SELECT 1 FROM cases_custody cu JOIN cases_facility f ON f.id = cu.facility_id
                    JOIN cases_case c ON c.id = cu.case_id
                    WHERE f.country = countries.country AND {PUBLIC})
                FROM (SELECT DISTINCT country FROM cases_facility) countries"""
        )
        ((total,),) = rows(f"SELECT COUNT(*) FROM cases_case c WHERE {PUBLIC}")
        cases = rows(
            f"""SELECT c.id, c.reference, c.person_id, c.group_name, p.full_name, p.rank, c.status,
                       c.status_since, f.slug, f.name
                {CASE_JOINS} WHERE {PUBLIC} ORDER BY c.opened_on DESC, c.reference LIMIT %s""",
            [page_size],
        )
        stays = {}
        if cases:
            ids = [row[0] for row in cases]
            marks = ", ".join(["%s"] * len(ids))
            for case_id, started_on, ended_on in rows(
                f"SELECT case_id, started_on, ended_on FROM cases_custody WHERE case_id IN ({marks})", ids
            ):
                stays.setdefault(case_id, []).append((started_on, ended_on))
        today = timezone.localdate()
        countries_held = sorted(
            ((code, countries.name(code)) for code, held in held_in if held), key=lambda c: c[1]
        )
        options = "".join(f'<option value="{code}">{escape(name)}</option>' for code, name in countries_held)
        items = []
        for case_id, reference, person_id, group_name, full_name, rank, status, since, slug, name in cases:
            held = f'<dd><a href="/facilities/{slug}/">{escape(name)}</a></dd>' if slug else ""
            days = custody_days(stays.get(case_id, ()), today)
            items.append(
                f'<li><h2><a href="/cases/{reference}/">{escape(full_name if person_id else group_name)}</a></h2>'
                f'<p><span class="reference">{reference}</span> · {escape(rank or "")}</p>'
                f'<span class="status status-{status}">{status_labels[status]}</span>'
                f"<time>{since}</time>{held}<dd>{days}</dd></li>"
            )
        body = f'<select>{options}</select><p>{total}</p><ul class="cases">{"".join(items)}</ul>'
        return page("Cases", body, language).encode()


def sources_of(table, column, ids):
    """{fact id: [(article id, outlet, published on)]} for the facts of one kind."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    cited = {}
    for fact_id, *article in rows(
        f"""SELECT s.{column}, a.id, a.outlet, a.published_on FROM {table} s
            JOIN cases_sourcearticle a ON a.id = s.sourcearticle_id WHERE s.{column} IN ({marks})""",
        ids,
    ):
        cited.setdefault(fact_id, []).append(tuple(article))
    return cited


def public_case_detail(reference, language):
    """The public case page: person, timeline of facts with their sources, accounts, articles."""
    with translation.override(language):
        status_labels = labels()
        (
            (
                case_id,
                person_id,
                group_name,
                full_name,
                rank,
                summary,
                consents_summary,
                status,
                since,
                slug,
                name,
            ),
        ) = rows(
            f"""SELECT c.id, c.person_id, c.group_name, p.full_name, p.rank, c.summary,
                           p.summary_consent, c.status, c.status_since, f.slug, f.name
                    {CASE_JOINS} WHERE c.reference = %s AND {PUBLIC}""",
            [reference],
        )
        updates = rows(
            "SELECT id, status, effective_on, note FROM cases_statusupdate WHERE case_id = %s "
            "ORDER BY effective_on DESC, recorded_at DESC, id DESC",
            [case_id],
        )
        stays = rows(
            """SELECT cu.id, cu.started_on, cu.ended_on, f.slug, f.name FROM cases_custody cu
               JOIN cases_facility f ON f.id = cu.facility_id WHERE cu.case_id = %s ORDER BY cu.started_on, cu.id""",
            [case_id],
        )
        events = rows(
            "SELECT id, kind, outcome, occurred_on, note FROM cases_legalevent WHERE case_id = %s "
            "ORDER BY occurred_on, id",
            [case_id],
        )
        accounts = rows(
            """SELECT a.quote, s.id, s.outlet, s.published_on FROM cases_account a JOIN cases_sourcearticle s ON s.id = a.article_id
               JOIN people_person p ON p.id = a.person_id
               WHERE a.person_id = %s AND p.consent_to_publish AND p.accounts_consent ORDER BY a.said_on, a.id""",
            [person_id],
        )
        update_sources = sources_of("cases_statusupdate_sources", "statusupdate_id", [u[0] for u in updates])
        stay_sources = sources_of("cases_custody_sources", "custody_id", [s[0] for s in stays])
        event_sources = sources_of("cases_legalevent_sources", "legalevent_id", [e[0] for e in events])
        timeline = [
            (day, 2, f"status-{id_}", f"{status_labels[status]} {escape(note)}", update_sources.get(id_, []))
            for id_, status, day, note in updates
        ]
        for id_, started_on, _, stay_slug, stay_name in stays:
            place = f'<a href="/facilities/{stay_slug}/">{escape(stay_name)}</a>'
            timeline.append((started_on, 0, f"custody-{id_}", place, stay_sources.get(id_, [])))
        if stays and stays[-1][2]:
            timeline.append((stays[-1][2], 1, f"custody-{stays[-1][0]}-end", "", []))
        for id_, kind, outcome, day, note in events:
            what = f"{LegalEventKind(kind).label}: {LegalEventOutcome(outcome).label} {escape(note)}"
            timeline.append((day, 3, f"legal-{id_}", what, event_sources.get(id_, [])))
        timeline.sort(key=lambda entry: entry[:2])
        articles = {article for entry in timeline for article in entry[4]} | {a[1:] for a in accounts}
        # Newest first, as the page lists them.
        articles = sorted(articles, key=lambda a: (a[2] or datetime.date.min, a[0]), reverse=True)
        items = "".join(
            f'<li id="{anchor}"><time>{day}</time>{what}'
            + "".join(
                f'<a href="#source-{article_id}">{escape(outlet)}</a>' for article_id, outlet, _ in cited
            )
            + "</li>"
            for day, _, anchor, what, cited in timeline
        )
        quotes = "".join(f"<blockquote>{escape(account[0])}</blockquote>" for account in accounts)
        sources = "".join(
            f'<li id="source-{article_id}">{escape(outlet)}</li>' for article_id, outlet, _ in articles
        )
        held = f'<a href="/facilities/{slug}/">{escape(name)}</a>' if slug else ""
        story = f"<p>{escape(summary)}</p>" if person_id is None or consents_summary else ""
        body = (
            f"<h1>{escape(rank or '')} {escape(full_name if person_id else group_name)}</h1>"
            f'<p class="reference">{reference}</p><span class="status status-{status}">{status_labels[status]}</span>'
            f"<time>{since}</time>{held}{story}<ol>{items}</ol>{quotes}<ol>{sources}</ol>"
        )
        return page(reference, body, language).encode()


def admin_changelist(page_size=100):
    """The admin list's data: count, a page of cases and the facility filter's choices."""
    status_labels = labels()
    ((total,),) = rows("SELECT COUNT(*) FROM cases_case")
    cases = rows(
        f"""SELECT c.id, c.reference, c.person_id, c.group_name, p.full_name, c.status, c.status_since,
                   f.name, c.is_public, c.updated_at
            {CASE_JOINS} ORDER BY c.opened_on DESC, c.reference LIMIT %s""",
        [page_size],
    )
    facilities = rows("SELECT id, name FROM cases_facility ORDER BY name, id")
    items = "".join(
        f'<tr><th><a href="/admin/cases/case/{id_}/change/">{reference}</a></th>'
        f"<td>{escape(full_name if person_id else group_name)}</td><td>{status_labels[status]}</td>"
        f"<td>{since}</td><td>{escape(name or '—')}</td><td>{is_public}</td><td>{updated_at}</td></tr>"
        for id_, reference, person_id, group_name, full_name, status, since, name, is_public, updated_at in cases
    )
    choices = "".join(f'<li><a href="?f={id_}">{escape(name)}</a></li>' for id_, name in facilities)
    return page("Cases", f"<p>{total}</p><table>{items}</table><ul>{choices}</ul>", "en").encode()


def admin_change(case_id):
    """The admin change page's data: the case and every fact in its inlines, with their sources."""
    status_labels = labels()
    ((reference, full_name, group_name, status, summary, private_notes),) = rows(
        """SELECT c.reference, p.full_name, c.group_name, c.status, c.summary, c.private_notes
           FROM cases_case c LEFT JOIN people_person p ON p.id = c.person_id WHERE c.id = %s""",
        [case_id],
    )
    updates = rows(
        """SELECT su.id, su.status, su.effective_on, su.note, su.internal_note, u.username, su.recorded_at
           FROM cases_statusupdate su LEFT JOIN auth_user u ON u.id = su.recorded_by_id
           WHERE su.case_id = %s ORDER BY su.effective_on DESC, su.recorded_at DESC, su.id DESC""",
        [case_id],
    )
    stays = rows(
        """SELECT cu.id, f.name, cu.started_on, cu.ended_on, cu.note FROM cases_custody cu
           JOIN cases_facility f ON f.id = cu.facility_id WHERE cu.case_id = %s ORDER BY cu.started_on, cu.id""",
        [case_id],
    )
    events = rows(
        "SELECT id, kind, outcome, occurred_on, note FROM cases_legalevent WHERE case_id = %s ORDER BY occurred_on, id",
        [case_id],
    )
    cited = [
        sources_of("cases_statusupdate_sources", "statusupdate_id", [u[0] for u in updates]),
        sources_of("cases_custody_sources", "custody_id", [s[0] for s in stays]),
        sources_of("cases_legalevent_sources", "legalevent_id", [e[0] for e in events]),
    ]

    def table(facts, sources):
        return (
            "<table>"
            + "".join(
                "<tr>"
                + "".join(f"<td>{escape(str(value))}</td>" for value in fact[1:])
                + "<td>"
                + ", ".join(escape(outlet) for _, outlet, _ in sources.get(fact[0], ()))
                + "</td></tr>"
                for fact in facts
            )
            + "</table>"
        )

    body = (
        f"<h1>{reference} {escape(full_name or group_name)}</h1><p>{status_labels[status]}</p>"
        f"<textarea>{escape(summary)}</textarea><textarea>{escape(private_notes)}</textarea>"
        + "".join(
            table(facts, sources) for facts, sources in zip((updates, stays, events), cited, strict=True)
        )
    )
    return page(reference, body, "en").encode()
