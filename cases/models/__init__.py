from cases.models.base import Disputable, SourcedFact, Status, public_case_q
from cases.models.case import Case, CaseChange, CaseQuerySet, CaseReferenceSequence, CaseTally, StatusDocument
from cases.models.facts import (
    Account,
    Custody,
    LegalEvent,
    LegalEventKind,
    LegalEventOutcome,
    StatusUpdate,
)
from cases.models.sources import Facility, SourceArticle

__all__ = [
    "Account",
    "Case",
    "CaseChange",
    "CaseQuerySet",
    "CaseReferenceSequence",
    "CaseTally",
    "Custody",
    "Disputable",
    "Facility",
    "LegalEvent",
    "LegalEventKind",
    "LegalEventOutcome",
    "SourceArticle",
    "SourcedFact",
    "Status",
    "StatusDocument",
    "StatusUpdate",
    "public_case_q",
]
