"""Load the first real cases, from the four 2019 news reports in shared/seeds.

Every fact carries its sources; where the reports disagree the fact is marked
disputed. Idempotent: records are found by natural keys, so a second run adds
nothing.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.dates import DatePrecision
from cases.models import (
    Account,
    Case,
    CaseChange,
    Custody,
    Facility,
    LegalEvent,
    LegalEventKind,
    LegalEventOutcome,
    SourceArticle,
    Status,
)
from cases.services import case_record_change, record_status_update
from people.models import Alias, ConsentMethod, ConsentScope, Person
from people.services import record_consent

D = datetime.date
DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR

ARTICLES = {
    "telemundo": {
        "title": "Special report: Venezuelan military defectors abandoned abroad (interview with Major Hugo Parra)",
        "outlet": "Telemundo",
        "language": "es",
        "published_on": D(2019, 12, 1),
        "published_on_precision": MONTH,
        "excerpt": "Spanish-language interview cited by MintPress News and PanAm Post; not itself in the seeds.",
    },
    "mintpress": {
        "title": (
            "Pro-Coup Venezuelan Soldiers Who Fled to the US Now Locked Up in ICE Immigration Detention Center"
        ),
        "outlet": "MintPress News",
        "author": "Alan MacLeod",
        "language": "en",
        "published_on": D(2019, 12, 27),
        "excerpt": (
            "Reports Telemundo's interview with Major Hugo Parra: detained by ICE on arrival on "
            "11 April 2019, first in Texas, then at Winn Correctional Center, refused bail and a "
            "hearing. Republished by Global Research on 30 December 2019."
        ),
        "related": ("telemundo", SourceArticle.Relation.REPORTS_ON),
    },
    "panampost": {
        "title": "Venezuelan military deserters say Guaidó abandoned them",
        "outlet": "PanAm Post",
        "language": "en",
        "published_on": D(2019, 12, 1),
        "published_on_precision": MONTH,
        "excerpt": (
            "English edition; no author or date given. Reviews Telemundo's special report: Parra held "
            "at Winn Correctional Center; officers sheltered at the Panamanian embassy announced free "
            "on 9 December; deserters in Colombia hold refugee status that bars them from working."
        ),
        "related": ("telemundo", SourceArticle.Relation.REPORTS_ON),
    },
    "antiwar": {
        "title": "Details Emerge on Failed US-Backed Coup in Venezuela",
        "outlet": "Antiwar.com",
        "author": "Jason Ditz",
        "language": "en",
        "published_on": D(2019, 5, 1),
        "published_on_precision": MONTH,
        "excerpt": "On the 30 April 2019 uprising and why it failed; written in the days after May Day.",
    },
    "rehearsal": {
        "title": "Rehearsal of coup in Venezuela",
        "outlet": "Unnamed Russian-language outlet (English translation)",
        "language": "en",
        "published_on": D(2019, 5, 1),
        "published_on_precision": MONTH,
        "excerpt": "Account of the events of Tuesday 30 April 2019 in Caracas and reactions to them.",
    },
}

FACILITIES = {
    "texas": {
        "name": "ICE detention facility in Texas (not named in reports)",
        "slug": "ice-texas-unnamed",
        "kind": Facility.Kind.IMMIGRATION_DETENTION,
        "authority": "ICE",
        "region": "Texas",
        "country": "US",
        "notes": "The reports say only 'a facility in Texas'.",
    },
    "winn": {
        "name": "Winn Correctional Center",
        "slug": "winn-correctional-center",
        "kind": Facility.Kind.IMMIGRATION_DETENTION,
        "authority": "ICE",
        "city": "Winnfield",
        "region": "Louisiana",
        "country": "US",
    },
    "panama-embassy": {
        "name": "Embassy of Panama in Caracas",
        "slug": "embassy-of-panama-caracas",
        "kind": Facility.Kind.DIPLOMATIC_MISSION,
        "city": "Caracas",
        "country": "VE",
    },
}

CROSSING_DOUBT = (
    "The reports put the crossing on 11 April 2019, before the 30 April uprising Parra is said to "
    "have joined; one of the two dates is wrong."
)


class Command(BaseCommand):
    help = "Load the demo cases from the 2019 seed reports (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        self.created = 0
        articles = self.load_articles()
        facilities = {
            key: self.get_or_create(Facility, {"slug": data["slug"]}, data)
            for key, data in FACILITIES.items()
        }
        self.load_parra(articles, facilities)
        self.load_molina(articles)
        self.load_embassy_group(articles, facilities)
        self.load_colombia_group(articles)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {self.created} new records."))

    def get_or_create(self, model, lookup, defaults):
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        self.created += created
        return obj

    def load_articles(self):
        articles = {}
        for key, data in ARTICLES.items():
            data = dict(data)
            related = data.pop("related", None)
            if related:
                data["related_article"], data["relation"] = articles[related[0]], related[1]
            articles[key] = self.get_or_create(SourceArticle, {"title": data["title"]}, data)
        return articles

    def case_for(self, *, person=None, group_name="", defaults):
        lookup = {"person": person} if person else {"group_name": group_name, "person": None}
        case = Case.objects.filter(**lookup).first()
        if case is None:
            case = Case.objects.create(**lookup, **defaults)
            case_record_change(case=case, kind=CaseChange.Kind.CREATED)
            self.created += 1
        return case

    def status(self, case, status, effective_on, precision, note, sources, **extra):
        if case.status_updates.filter(status=status, effective_on=effective_on).exists():
            return
        record_status_update(
            case=case,
            status=status,
            effective_on=effective_on,
            effective_on_precision=precision,
            note=note,
            sources=sources,
            **extra,
        )
        self.created += 1

    def consent(self, person):
        if person.consents.exists():
            return
        record_consent(
            person=person,
            scopes=ConsentScope.values,
            granted=True,
            method=ConsentMethod.WRITING,
            note="Demo data from published reports: confirm with the person before real use.",
        )
        self.created += 1

    def sourced(self, model, lookup, defaults, sources):
        obj = self.get_or_create(model, lookup, defaults)
        obj.sources.add(*sources)
        return obj

    def load_parra(self, articles, facilities):
        mintpress, panampost = articles["mintpress"], articles["panampost"]
        parra = self.get_or_create(
            Person,
            {"full_name": "Hugo Parra"},
            {
                "rank": "Major",
                "branch": Person.Branch.ARMY,
                "nationality": "VE",
                "public_summary": (
                    "Venezuelan army major, the highest-ranking officer to recognise Juan Guaidó as "
                    "interim president. Crossed into the United States with First Lieutenant Erick "
                    "Molina and surrendered to immigration authorities; held by ICE since."
                ),
                "private_notes": "Demo record built from published reports; confirm consent with the person.",
            },
        )
        self.consent(parra)
        # How Spanish-language reports name him.
        self.get_or_create(Alias, {"person": parra, "name": "Mayor Parra"}, {})
        case = self.case_for(
            person=parra,
            defaults={
                "opened_on": D(2019, 4, 11),
                "is_public": True,
                "summary": (
                    "Detained by ICE on arrival in the US, first in Texas and later at Winn "
                    "Correctional Center in Louisiana. Every request for bail and for a hearing "
                    "before a judge has been refused."
                ),
            },
        )
        self.status(
            case,
            Status.DETAINED,
            D(2019, 4, 11),
            DAY,
            "Crossed into the US and surrendered to immigration authorities; detained by ICE.",
            [mintpress, articles["antiwar"], articles["rehearsal"]],
            is_disputed=True,
            dispute_note=CROSSING_DOUBT,
        )
        self.sourced(
            Custody,
            {"case": case, "facility": facilities["texas"]},
            {
                "started_on": D(2019, 4, 11),
                "ended_on": D(2019, 12, 1),
                "ended_on_precision": MONTH,
                "note": "The reports give no transfer date; by December 2019 he was at Winn.",
            },
            [mintpress],
        )
        self.sourced(
            Custody,
            {"case": case, "facility": facilities["winn"]},
            {
                "started_on": D(2019, 12, 1),
                "started_on_precision": MONTH,
                "note": "Transferred from Texas; first reported here in December 2019.",
            },
            [mintpress, panampost],
        )
        # "Refused all requests for bail or appointments to see a judge".
        for kind, label in [
            (LegalEventKind.BOND_REQUEST, "First request for bail: refused."),
            (LegalEventKind.BOND_REQUEST, "Further request for bail: refused."),
            (LegalEventKind.HEARING_REQUEST, "Request to see a judge: refused."),
        ]:
            self.sourced(
                LegalEvent,
                {"case": case, "note": label},
                {
                    "kind": kind,
                    "occurred_on": D(2019, 1, 1),
                    "occurred_on_precision": YEAR,
                    "outcome": LegalEventOutcome.DENIED,
                },
                [mintpress],
            )
        self.sourced(
            LegalEvent,
            {"case": case, "kind": LegalEventKind.DECISION},
            {
                "occurred_on": D(2019, 12, 1),
                "occurred_on_precision": MONTH,
                "outcome": LegalEventOutcome.PENDING,
                "note": "Awaiting a decision on his case in the United States.",
            },
            [panampost],
        )
        translations = [
            (
                mintpress,
                "I have fallen to rock bottom. I have lost everything: my family, my house. My actions "
                "were worth nothing. I don't see any way out.",
            ),
            (
                panampost,
                "I fell into a trap, and I have hit rock bottom. I lost everything: my family, my "
                "house. What I did wasn't worth anything. I don't see a way out.",
            ),
            (
                panampost,
                "There was much hope, but Guaido and his people did not have the necessary support to "
                "annihilate the Maduro government. He should have been more forceful, more radical.",
            ),
        ]
        for article, quote in translations:
            self.get_or_create(
                Account,
                {"person": parra, "article": article, "quote": quote},
                {"language": "en", "said_on": D(2019, 12, 1), "said_on_precision": MONTH},
            )

    def load_molina(self, articles):
        molina = self.get_or_create(
            Person,
            {"full_name": "Erick Molina"},
            {
                "rank": "First Lieutenant",
                "nationality": "VE",
                "public_summary": (
                    "Venezuelan first lieutenant who crossed into the United States with Major Hugo "
                    "Parra and surrendered to immigration authorities."
                ),
                "private_notes": "Demo record built from published reports; confirm consent with the person.",
            },
        )
        self.consent(molina)
        case = self.case_for(
            person=molina,
            defaults={
                "opened_on": D(2019, 4, 11),
                "is_public": True,
                "summary": "Surrendered to US immigration authorities with Major Parra; detention place not reported.",
            },
        )
        self.status(
            case,
            Status.DETAINED,
            D(2019, 4, 11),
            DAY,
            "Crossed into the US with Major Parra and surrendered to immigration authorities.",
            [articles["mintpress"]],
            is_disputed=True,
            dispute_note=CROSSING_DOUBT,
        )

    def load_embassy_group(self, articles, facilities):
        panampost = articles["panampost"]
        case = self.case_for(
            group_name="Officers sheltered at the Panamanian embassy in Caracas",
            defaults={
                "opened_on": D(2019, 5, 1),
                "is_public": True,
                "summary": (
                    "A handful of officers who backed Juan Guaidó on 30 April 2019 took refuge in the "
                    "Panamanian embassy in Caracas and stayed there about seven months under threat."
                ),
            },
        )
        self.status(
            case,
            Status.SHELTERED,
            D(2019, 5, 1),
            MONTH,
            "Taken in by the Panamanian embassy after the 30 April uprising.",
            [panampost],
        )
        self.sourced(
            Custody,
            {"case": case, "facility": facilities["panama-embassy"]},
            {
                "started_on": D(2019, 5, 1),
                "started_on_precision": MONTH,
                "ended_on": D(2019, 12, 9),
                "note": "Sheltered for about seven months.",
            },
            [panampost],
        )
        self.status(
            case,
            Status.RELEASED,
            D(2019, 12, 9),
            DAY,
            "Juan Guaidó announced that the officers had 'regained their freedom'.",
            [panampost],
            is_disputed=True,
            dispute_note="Announced by Guaidó; the report adds that their fate was still unknown.",
        )

    def load_colombia_group(self, articles):
        panampost = articles["panampost"]
        case = self.case_for(
            group_name="Military deserters with refugee status in Colombia",
            defaults={
                "opened_on": D(2019, 2, 23),
                "is_public": True,
                "summary": (
                    "Venezuelan military deserters who crossed into Colombia around 23 February 2019. "
                    "Colombia granted them refugee status, which they say bars them from working."
                ),
            },
        )
        self.sourced(
            LegalEvent,
            {"case": case, "kind": LegalEventKind.REFUGEE_APPLICATION},
            {
                "occurred_on": D(2019, 1, 1),
                "occurred_on_precision": YEAR,
                "outcome": LegalEventOutcome.GRANTED,
                "note": "Refugee status granted by Colombia; it bars them from working.",
            },
            [panampost],
        )
        self.status(
            case,
            Status.PROTECTED,
            D(2019, 4, 1),
            MONTH,
            "Holding refugee status in Colombia when interviewed in April 2019; not allowed to work.",
            [panampost],
        )
