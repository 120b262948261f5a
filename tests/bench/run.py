"""Benchmark suite: `make bench`, or `python -m tests.bench.run --scales 1 10`.

For each scale: a benchmark database of its own (SQLite file
bench-results/bench-scale-<scale>.sqlite3, or with DATABASE_URL a PostgreSQL
database named after it, "<name>" for scale 1 and "<name><scale>" otherwise),
migrated and filled once by generate_dataset, then reused. Every endpoint is
driven in-process through Django's test client: its output is checked against
its baseline's (tests/bench/baselines.py: hand-written SQL + orjson or a string
template) and its queries counted, then it is timed (median and p95) taking
turns with its baseline, after warm-up runs. The timed runs are shared out
over turns that visit the scales in order (--turns, default 5).

The table goes to stdout, the rows as JSON to bench-results/latest.json.
"""

import argparse
import datetime
import logging
import os
import re
import statistics
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetracker.settings")
django.setup()

import orjson  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.filters import settled_changes  # noqa: E402
from cases.models import Case, Facility  # noqa: E402
from people.permissions import ADVOCATES_GROUP  # noqa: E402
from security.models import ApiToken  # noqa: E402
from tests.bench import baselines  # noqa: E402

RESULTS = Path(settings.BASE_DIR) / "bench-results"
# The configured database's name, before use_database() points it elsewhere.
DATABASE_NAME = settings.DATABASES["default"]["NAME"]
SEED = 2019
BENCH_USER = "bench-advocate"
PAGE = 100
# A poll reads the tail of the change log: this many of the latest changes.
POLL_TAIL = 150
# Ratio to the baseline the issue asks for, per endpoint.
GOALS = {
    "api-case-list-anon": 4,
    "api-case-list-advocate": 4,
    "api-case-detail": 6,
    "api-status-200": 3,
    "api-status-304": 3,
    "api-poll-updated-since": 3,
    "api-poll-changes": 3,
    "page-case-list-en": 8,
    "page-case-list-es": 8,
    "page-case-detail-en": 8,
    "page-case-detail-es": 8,
}
# The measurement runs as in production: no query log (DEBUG off) and no
# throttling, which would answer 429 to a benchmark long before it ends.
MEASURING = override_settings(
    DEBUG=False,
    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}},
)


@dataclass
class Endpoint:
    name: str
    url: str
    client: Client
    baseline: object  # () -> bytes
    check: object  # (response, baseline bytes) -> None; raises when they differ
    headers: dict | None = None

    def request(self):
        return self.client.get(self.url, headers=self.headers)


def same_json(response, expected):
    assert response.status_code == 200, response.status_code
    assert response.json() == orjson.loads(expected)


def not_found(response, expected):
    assert response.status_code == 404, response.status_code
    assert response.json() == orjson.loads(expected)


def not_modified(response, expected):
    assert (response.status_code, response.content, expected) == (304, b"", b"")


REFERENCE = re.compile(r"CT-\d{4}-\d{4,}")
ANCHORS = re.compile(r'id="((?:status|custody|legal|source)-\d+(?:-end)?)"')
STATUS = re.compile(r'class="status status-(\w+)"')


def same_page(*patterns):
    """The page shows what the baseline shows: the same references, statuses
    (and anchors of facts and sources), in the same order."""

    def check(response, expected):
        assert response.status_code == 200, response.status_code
        html = response.content.decode()
        for pattern in patterns:
            found = list(dict.fromkeys(pattern.findall(html)))
            wanted = list(dict.fromkeys(pattern.findall(expected.decode())))
            assert found == wanted, (pattern.pattern, found[:5], wanted[:5])

    return check


def database_for(scale):
    """The benchmark database of one scale, as a settings NAME."""
    label = f"{scale:g}".replace(".", "_")
    if connection.vendor == "sqlite":
        return str(RESULTS / f"bench-scale-{label}.sqlite3")
    return DATABASE_NAME if scale == 1 else f"{DATABASE_NAME}{label}"


def use_database(name):
    """Point the default connection at another database, as Django's test runner
    does for the test database, creating it on PostgreSQL when missing."""
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def prepare(scale, out=sys.stdout):
    """Migrate and, unless done before, generate the dataset of this scale."""
    call_command("migrate", verbosity=0)
    if Facility.objects.filter(slug__startswith=f"gen-{SEED}-").exists():
        print(f"scale {scale:g}: reusing the generated dataset", file=out)
        return
    print(f"scale {scale:g}: generating the dataset…", file=out)
    started = time.perf_counter()
    with MEASURING:  # without DEBUG's query log, which would hold every bulk INSERT
        call_command("generate_dataset", scale=scale, seed=SEED, stdout=out)
    if connection.vendor == "postgresql":
        # Planner statistics (and, outside a test's transaction, the visibility
        # map for index-only scans) as a long-running database would have them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    print(f"scale {scale:g}: dataset ready in {time.perf_counter() - started:.0f} s", file=out)


def endpoints():
    """Every benchmarked endpoint with its client, URL and baseline."""
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=ADVOCATES_GROUP))
    _token, key = ApiToken.objects.issue(user=user, name="bench")
    anon = Client()
    advocate = Client(headers={"authorization": f"Token {key}"})
    admin = Client()
    admin.force_login(user)

    # The case the detail pages show: the newest public case held somewhere now.
    case = Case.objects.public().filter(custodies__ended_on__isnull=True).first()
    ref = case.reference
    etag = baselines.status_document(ref)[1]
    visible = settled_changes().filter(case__in=Case.objects.public())
    tail = list(visible.order_by("-pk").values_list("pk", "changed_at")[:POLL_TAIL])
    after = tail[-1][0] - 1
    # Far enough back for more than a page of cases, from the newest ones only.
    since = recent_instant(visible)
    since_text = since.isoformat().replace("+00:00", "Z")
    poll_url = f"/api/v1/cases/?updated_since={since_text}&page_size={PAGE}"
    pages = same_page(REFERENCE, STATUS)
    facts = same_page(REFERENCE, STATUS, ANCHORS)
    return [
        Endpoint(
            "api-case-list-anon",
            f"/api/v1/cases/?page_size={PAGE}",
            anon,
            lambda: baselines.api_case_list(advocate=False),
            same_json,
        ),
        Endpoint(
            "api-case-list-advocate",
            f"/api/v1/cases/?page_size={PAGE}",
            advocate,
            lambda: baselines.api_case_list(advocate=True),
            same_json,
        ),
        Endpoint(
            "api-case-detail",
            f"/api/v1/cases/{ref}/",
            anon,
            lambda: baselines.api_case_detail(ref),
            same_json,
        ),
        Endpoint(
            "api-status-200",
            f"/api/v1/cases/{ref}/status/",
            anon,
            lambda: baselines.api_status(ref),
            same_json,
        ),
        Endpoint(
            "api-status-304",
            f"/api/v1/cases/{ref}/status/",
            anon,
            lambda: baselines.api_status(ref, etag),
            not_modified,
            headers={"if-none-match": etag},
        ),
        Endpoint(
            "api-poll-updated-since",
            poll_url,
            anon,
            lambda: baselines.api_updated_since(since, 0),
            same_json,
        ),
        Endpoint(
            "api-poll-changes",
            f"/api/v1/changes/?after={after}&page_size={PAGE}",
            anon,
            lambda: baselines.api_changes(after),
            same_json,
        ),
        Endpoint("page-case-list-en", "/cases/", anon, lambda: baselines.public_case_list("en"), pages),
        Endpoint("page-case-list-es", "/es/cases/", anon, lambda: baselines.public_case_list("es"), pages),
        Endpoint(
            "page-case-detail-en",
            f"/cases/{ref}/",
            anon,
            lambda: baselines.public_case_detail(ref, "en"),
            facts,
        ),
        Endpoint(
            "page-case-detail-es",
            f"/es/cases/{ref}/",
            anon,
            lambda: baselines.public_case_detail(ref, "es"),
            facts,
        ),
        # No query, no data: what any API request costs here (middleware, DRF
        # dispatch, content negotiation, rendering). Small endpoints' ratios sit on it.
        Endpoint("api-floor-404", "/api/v1/no-such-resource/", anon, baselines.not_found, not_found),
        Endpoint(
            "admin-case-changelist",
            "/admin/cases/case/",
            admin,
            baselines.admin_changelist,
            same_page(REFERENCE),
        ),
        Endpoint(
            "admin-case-change",
            f"/admin/cases/case/{case.pk}/change/",
            admin,
            lambda: baselines.admin_change(case.pk),
            same_page(REFERENCE),
        ),
    ]


def recent_instant(changes):
    """The latest instant since which more than a page of distinct cases changed
    (or the first change, on a small dataset)."""
    seen = set()
    moment = None
    for case_id, changed_at in changes.order_by("-pk").values_list("case_id", "changed_at").iterator():
        seen.add(case_id)
        moment = changed_at
        if len(seen) > PAGE:
            break
    return moment.astimezone(datetime.UTC)


def timed(functions, runs, warmup):
    """Milliseconds per run of each function. The functions take turns, so an
    endpoint and its baseline see the same load on a shared machine."""
    for _ in range(warmup):
        for function in functions:
            function()
    times = [[] for _ in functions]
    for _ in range(runs):
        for function, spent in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            spent.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


@contextmanager
def measuring():
    """As in production (MEASURING), without a "Not Found" warning on the
    console for every run of the floor row."""
    logging.disable(logging.WARNING)
    try:
        with MEASURING:
            yield
    finally:
        logging.disable(logging.NOTSET)


class ScaleRun:
    """The endpoints of one scale on its database (current when made and at
    every turn): each checked against its baseline and its queries counted
    once, then timed over as many turns as asked."""

    def __init__(self, scale):
        self.scale = scale
        self.endpoints = endpoints()
        self.queries = {}
        for endpoint in self.endpoints:
            endpoint.check(endpoint.request(), endpoint.baseline())
            with CaptureQueriesContext(connection) as captured:
                endpoint.request()
            # Now: every request start empties the connection's query log.
            self.queries[endpoint.name] = len(captured)
        self.times = {endpoint.name: ([], []) for endpoint in self.endpoints}

    def turn(self, *, runs, warmup):
        for endpoint in self.endpoints:
            spent, baseline = timed([endpoint.request, endpoint.baseline], runs, warmup)
            self.times[endpoint.name][0].extend(spent)
            self.times[endpoint.name][1].extend(baseline)

    def rows(self):
        return [self.row(endpoint.name) for endpoint in self.endpoints]

    def row(self, name):
        times, baseline_times = self.times[name]
        median, baseline_median = statistics.median(times), statistics.median(baseline_times)
        return {
            "endpoint": name,
            "scale": self.scale,
            "database": connection.vendor,
            "median_ms": round(median, 3),
            "p95_ms": round(percentile(times, 95), 3),
            "baseline_median_ms": round(baseline_median, 3),
            "ratio": round(median / baseline_median, 2),
            "queries": self.queries[name],
        }


def measure_scales(scales, *, runs, warmup, turns):
    """Rows for every endpoint at every scale (datasets ready). The timed runs
    are split into turns that visit the scales in order, so that a slow
    stretch of a shared machine falls on every scale alike: growth compares
    scales, and measured one whole scale after the other, even the floor row
    (no data at all) came out up to 1.5x slower at one scale than the other."""
    with measuring():
        scale_runs = []
        for scale in scales:
            use_database(database_for(scale))
            scale_runs.append(ScaleRun(scale))
        for turn in range(turns):
            for scale_run in scale_runs:
                use_database(database_for(scale_run.scale))
                # The runs shared out over the turns, the first turns taking the rest.
                scale_run.turn(runs=runs // turns + (turn < runs % turns), warmup=warmup)
        return [row for scale_run in scale_runs for row in scale_run.rows()]


def table(results):
    """One line per endpoint, the scales side by side, then growth from the smallest scale."""
    scales = sorted({row["scale"] for row in results})
    by_key = {(row["endpoint"], row["scale"]): row for row in results}
    names = list(dict.fromkeys(row["endpoint"] for row in results))
    head = f"{'endpoint':<24}{'goal':>5}"
    for scale in scales:
        head += f" | scale {scale:<6g}{'median':>8}{'p95':>8}{'base':>8}{'ratio':>7}{'q':>4}"
    if len(scales) > 1:
        head += " | growth"
    lines = [f"database: {results[0]['database']}" if results else "no results", head, "-" * len(head)]
    for name in names:
        goal = GOALS.get(name)
        line = f"{name:<24}{(f'{goal}x' if goal else '-'):>5}"
        for scale in scales:
            row = by_key.get((name, scale))
            ok = "" if goal is None or row["ratio"] <= goal else "!"
            line += (
                f" | {'':<12}{row['median_ms']:>8.2f}{row['p95_ms']:>8.2f}"
                f"{row['baseline_median_ms']:>8.2f}{row['ratio']:>6.1f}{ok or ' '}{row['queries']:>4}"
            )
        if len(scales) > 1:
            growth = by_key[(name, scales[-1])]["median_ms"] / by_key[(name, scales[0])]["median_ms"]
            line += f" | {growth:5.2f}x{'' if growth <= 1.5 else ' !'}"
        lines.append(line)
    lines.append("ratio = median / baseline median; ! = goal missed (ratio, or growth above 1.5x)")
    return "\n".join(lines)


def main(argv=None):
    # Benchmarks do not collect static files (as in the test settings).
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1], help="dataset scales (default 1)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per endpoint (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first, each turn (default 5)")
    parser.add_argument(
        "--turns",
        type=int,
        default=5,
        help="turns over the scales the timed runs are shared out over (default 5)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for scale in args.scales:
        use_database(database_for(scale))
        prepare(scale)
    turns = max(1, min(args.turns, args.runs))
    results = measure_scales(args.scales, runs=args.runs, warmup=args.warmup, turns=turns)
    write(results, args.output)
    print(table(results))
    print(f"written to {args.output}")


def write(results, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
