"""Generate a deterministic synthetic dataset for benchmarks.

Default scale: 1,000 facilities, 10,000 people (about 30% without consent),
10,000 cases (about 20% not public), 100,000 status updates, 20,000 custody
rows, 30,000 legal events, 5,000 articles and 30,000 citations. `--scale 10`
gives ten times as much. Rows go in with bulk_create, so it bypasses save():
derived columns (search names, references, Case.status) are filled here the
same way the models fill them.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import (
    Case,
    CaseChange,
    CaseReferenceSequence,
    Custody,
    Facility,
    LegalEvent,
    LegalEventKind,
    LegalEventOutcome,
    SourceArticle,
    Status,
    StatusUpdate,
)
from people.models import Person
from people.search import normalize_search_text

BASE = {
    "facilities": 1_000,
    "people": 10_000,
    "cases": 10_000,
    "status_updates": 100_000,
    "custody": 20_000,
    "legal_events": 30_000,
    "articles": 5_000,
    "citations": 30_000,
}
FIRST_NAMES = [
    "José",
    "Ángel",
    "María",
    "Luis",
    "Andrés",
    "Hugo",
    "Érick",
    "Raúl",
    "Inés",
    "Jesús",
    "Darío",
    "Sofía",
]
LAST_NAMES = [
    "Pérez",
    "Martínez",
    "Gómez",
    "Rodríguez",
    "Parra",
    "Molina",
    "Núñez",
    "Peña",
    "Díaz",
    "Suárez",
    "León",
]
RANKS = ["Major", "Captain", "First Lieutenant", "Sergeant", "Colonel", "Corporal"]
COUNTRIES = ["US", "CO", "VE", "PA", "MX", "BR", "PE", "EC"]
BATCH = 2_000
# Read once: an enum's .values is rebuilt on every access, millions of times at --scale 10.
FACILITY_KINDS = Facility.Kind.values
BRANCHES = Person.Branch.values
STATUSES = Status.values
EVENT_KINDS = LegalEventKind.values
EVENT_OUTCOMES = LegalEventOutcome.values


class Command(BaseCommand):
    help = "Insert a deterministic synthetic dataset (for benchmarks) at a chosen scale."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1,
            help="Multiply every count (default 1; 0.01 for a quick sample).",
        )
        parser.add_argument("--seed", type=int, default=2019, help="Random seed (default 2019).")
        parser.add_argument(
            "--status-updates",
            type=int,
            help="Override the number of status updates (e.g. 1000000 for the polling benchmark).",
        )

    def handle(self, *args, scale, seed, status_updates, **options):
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        counts = {name: max(1, round(count * scale)) for name, count in BASE.items()}
        if status_updates is not None:
            counts["status_updates"] = status_updates
        if counts["status_updates"] < counts["cases"]:
            raise CommandError(
                "Every case needs a status update: give at least as many status updates as cases."
            )
        if Facility.objects.filter(slug__startswith=f"gen-{seed}-").exists():
            raise CommandError(
                f"A dataset with seed {seed} is already loaded; use another --seed or a fresh database."
            )
        self.random = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.seed = seed
        started = time.perf_counter()
        with transaction.atomic():
            self.generate(counts)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {elapsed:.1f} s."))

    def generate(self, counts):
        rnd = self.random
        facilities = Facility.objects.bulk_create(
            (
                Facility(
                    name=f"Facility {n}",
                    slug=f"gen-{self.seed}-facility-{n}",
                    kind=rnd.choice(FACILITY_KINDS),
                    authority=rnd.choice(["ICE", "Migración Colombia", "SEBIN", "DGCIM"]),
                    city=f"City {n % 97}",
                    region=f"Region {n % 13}",
                    country=rnd.choice(COUNTRIES),
                )
                for n in range(counts["facilities"])
            ),
            batch_size=BATCH,
        )
        articles = SourceArticle.objects.bulk_create(
            (
                SourceArticle(
                    title=f"Report {n}",
                    outlet=rnd.choice(
                        ["Telemundo", "PanAm Post", "MintPress News", "El Pitazo", "Efecto Cocuyo"]
                    ),
                    author=f"Author {n % 211}",
                    url=f"https://example.org/gen-{self.seed}/{n}",
                    published_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=rnd.randrange(2_000)),
                    language=rnd.choice(["en", "es"]),
                )
                for n in range(counts["articles"])
            ),
            batch_size=BATCH,
        )
        people = Person.objects.bulk_create(
            (self.person(n) for n in range(counts["people"])),
            batch_size=BATCH,
        )
        cases, histories = self.cases(counts["cases"], people, counts["status_updates"])
        self.custody(cases, facilities, counts["custody"])
        updates = self.status_updates(cases, histories)
        self.legal_events(cases, counts["legal_events"])
        self.citations(updates, articles, counts["citations"])

    def person(self, n):
        rnd = self.random
        full_name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)} {rnd.choice(LAST_NAMES)} {n}"
        consents = rnd.random() >= 0.3
        # Half of those also let their story be told, so the summary rule has both sides.
        summary_consent = consents and rnd.random() < 0.5
        return Person(
            full_name=full_name,
            search_name=normalize_search_text(full_name),
            rank=rnd.choice(RANKS),
            branch=rnd.choice(BRANCHES),
            nationality="VE",
            # Encrypted at rest, as advocates' records hold them: a list that
            # decrypts what it does not show pays for it here.
            date_of_birth=datetime.date(1960, 1, 1) + datetime.timedelta(days=rnd.randrange(15_000)),
            alien_number=f"A{rnd.randrange(10**8, 10**9)}",
            consent_to_publish=consents,
            summary_consent=summary_consent,
            consent_recorded_on=datetime.date(2020, 1, 1) if consents else None,
            public_summary=f"Synthetic person {n}.",
        )

    def cases(self, count, people, status_updates):
        """Cases with their status history planned first, so Case.status is
        the latest entry's (as record_status_update keeps it) without a
        second pass."""
        rnd = self.random
        per_case, extra = divmod(status_updates, count)
        opened, histories = [], []
        for index in range(count):
            day = datetime.date(2019, 1, 1) + datetime.timedelta(days=rnd.randrange(1_800))
            opened.append(day)
            history = []
            for _ in range(per_case + (index < extra)):
                history.append((rnd.choice(STATUSES), day))
                day += datetime.timedelta(days=rnd.randrange(1, 20))
            histories.append(history)
        references = self.reserve_references(opened)
        cases = Case.objects.bulk_create(
            (
                Case(
                    reference=references[n],
                    person=people[n % len(people)],
                    opened_on=opened[n],
                    is_public=rnd.random() >= 0.2,
                    summary=f"Synthetic case {n}.",
                    status=histories[n][-1][0],
                    status_since=histories[n][-1][1],
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        return cases, histories

    def reserve_references(self, opened):
        """Take a block of numbers per year from the sequence, as Case.save() would one by one."""
        per_year = {}
        for day in opened:
            per_year[day.year] = per_year.get(day.year, 0) + 1
        next_number = {}
        for year, needed in per_year.items():
            sequence, _ = CaseReferenceSequence.objects.select_for_update().get_or_create(year=year)
            next_number[year] = sequence.last_number + 1
            sequence.last_number += needed
            sequence.save(update_fields=["last_number"])
        references = []
        for day in opened:
            references.append(f"CT-{day.year}-{next_number[day.year]:04d}")
            next_number[day.year] += 1
        return references

    def custody(self, cases, facilities, count):
        """Consecutive stays per case; the last one stays open for about half the cases."""
        rnd = self.random
        rows = []
        per_case = max(1, count // len(cases))
        for case in cases:
            start = case.opened_on
            for stay in range(per_case):
                end = start + datetime.timedelta(days=rnd.randrange(30, 300))
                is_last = stay == per_case - 1
                rows.append(
                    Custody(
                        case=case,
                        facility=rnd.choice(facilities),
                        started_on=start,
                        ended_on=None if is_last and rnd.random() < 0.5 else end,
                    )
                )
                start = end
        Custody.objects.bulk_create(rows[:count], batch_size=BATCH)

    def status_updates(self, cases, histories):
        rnd = self.random
        updates, changes = [], []
        for case, history in zip(cases, histories, strict=True):
            for status, day in history:
                updates.append(
                    StatusUpdate(
                        case=case, status=status, effective_on=day, note=f"Synthetic update on {day}."
                    )
                )
                moment = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
                changes.append(
                    CaseChange(
                        case=case,
                        kind=CaseChange.Kind.STATUS,
                        changed_at=moment + datetime.timedelta(seconds=rnd.randrange(86_400)),
                    )
                )
        created = StatusUpdate.objects.bulk_create(updates, batch_size=BATCH)
        # Recorded over the years and in time order, as the append-only log
        # would have it: a poll for recent changes then reads its tail, not all of it.
        changes.sort(key=lambda change: change.changed_at)
        CaseChange.objects.bulk_create(changes, batch_size=BATCH)
        return created

    def legal_events(self, cases, count):
        rnd = self.random
        LegalEvent.objects.bulk_create(
            (
                LegalEvent(
                    case=cases[n % len(cases)],
                    kind=rnd.choice(EVENT_KINDS),
                    outcome=rnd.choice(EVENT_OUTCOMES),
                    occurred_on=cases[n % len(cases)].opened_on + datetime.timedelta(days=rnd.randrange(400)),
                    note=f"Synthetic legal event {n}.",
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )

    def citations(self, updates, articles, count):
        through = StatusUpdate.sources.through
        rnd = self.random
        pairs = set()
        while len(pairs) < min(count, len(updates) * len(articles)):
            pairs.add((rnd.choice(updates).pk, rnd.choice(articles).pk))
        through.objects.bulk_create(
            (through(statusupdate_id=update, sourcearticle_id=article) for update, article in sorted(pairs)),
            batch_size=BATCH,
        )
