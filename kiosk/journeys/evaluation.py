"""The evaluation journey (好差评) as a service the Kivy screens drive.

A rating is offered at the end of a journey for what was just done, and from the home tile for
the citizen's recent applications. It goes through the outbox (kind "evaluation"), so it is
never lost to an outage. An application still in the outbox is rated by its outbox reference
(`application_reference`): the sender keeps order, so the application has its receipt number by
the time the rating is sent.

What a rating is: the national 好差评 indicators, each on the same 5-level scale — the overall
score (整体满意度), the only one asked for, so one tap is enough; and, when the citizen answers
them, efficiency (服务效率), competence (服务水平) and attitude (服务态度) — with an optional comment.

The platform takes one rating per application. `recent` leaves out what the platform says was
rated (`Application.evaluated`) and what was rated in this session; a rating the platform
still refuses as a second one (offered at the end of a journey for an application rated on an
earlier visit) is done with when sent (kiosk/delivery.py): the first rating stands.

Usage (the console's report): each rating is an "evaluation" journey for the rated
application's service (when known; "evaluation" otherwise), begun when the citizen sends a
score and completed once it is durable in the outbox; one the outbox refused or whose comment
was too long stays open, abandoned at "rating" if the citizen gives up. Only the scores are
told, never the comment or the receipt number.

Threading: `recent` and `rate` block (platform, outbox): call them from a worker. Privacy: the
comment is the citizen's own words: it goes only into the (sealed) outbox item, never into a
log or the audit trail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.audit.recorder import AuditRecorder
from kiosk.client.platform import PlatformClient
from kiosk.delivery import EVALUATION
from kiosk.events import emit
from kiosk.i18n.messages import N_
from kiosk.journeys.base import Journey, Words, both_languages, citizens_applications
from kiosk.journeys.problems import JourneyProblem, outbox_problem
from kiosk.outbox import DuplicateKey, ItemNotFound, Outbox, QueueRefused
from kiosk.receipts import progress_qr
from kiosk.session import Session
from kiosk.session.platform_citizen import with_filing_grant

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 500  # the contract's EvaluationCreate.comment
RECENT_DAYS = 180
MAX_RECENT = 12

# The indicators a citizen may answer beside the overall score (整体满意度), in the order asked,
# each with its name on the national 好差评 form; the console counts each (kiosk/console/usage.py).
INDICATORS: dict[str, str] = {
    "efficiency": N_("Efficiency"),  # 服务效率
    "competence": N_("Competence"),  # 服务水平
    "attitude": N_("Attitude"),  # 服务态度
}

# What each score means to the citizen (the national 好差评 scale).
SCORE_WORDS: dict[int, str] = {
    1: N_("Very dissatisfied"),
    2: N_("Dissatisfied"),
    3: N_("Neutral"),
    4: N_("Satisfied"),
    5: N_("Very satisfied"),
}

WORDS: dict[str, str] = {
    "journey.evaluation.rated": N_("You have already rated this application. Thank you."),
    "journey.evaluation.comment_too_long": N_("The comment is too long (at most 500 "
                                              "characters)."),
}

_RATED = "evaluation.rated"  # reference -> outbox reference of the rating


class Step(enum.StrEnum):
    CHOOSE = "choose"  # what to rate
    RATING = "rating"  # a score sent, not yet queued
    RATED = "rated"


@dataclass(frozen=True)
class RateTarget:
    """An application the citizen may rate."""

    reference: str  # the receipt number, or the outbox reference while the application waits
    kind: progress_qr.RefKind  # receipt_no | outbox_reference
    service_name: Words
    submitted_at: dt.datetime | None
    service_id: str | None = None  # for the console's usage counts, when known


@dataclass(frozen=True)
class Rated:
    target: RateTarget
    score: int
    outbox_reference: str
    indicators: Mapping[str, int] = dataclasses.field(default_factory=dict)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def checked_indicators(indicators: Mapping[str, int] | None) -> dict[str, int]:
    """The indicators answered, in the order asked; ValueError for a name not in INDICATORS or
    a score not in SCORES (an int: True or 4.0 is no score)."""
    given = dict(indicators or {})
    unknown = sorted(set(given) - set(INDICATORS))
    if unknown:
        raise ValueError(f"unknown indicator(s) {unknown}: only {list(INDICATORS)}")
    for name, score in given.items():
        if type(score) is not int or score not in SCORES:
            raise ValueError(f"{name} must be one of {SCORES}")
    return {name: given[name] for name in INDICATORS if name in given}


class EvaluationJourney(Journey[Step]):
    """One citizen rating the service of their applications."""

    name = "evaluation"

    def __init__(self, session: Session, client: PlatformClient, outbox: Outbox, *,
                 clock: Callable[[], dt.datetime] = _utc_now, recent_days: int = RECENT_DAYS,
                 audit: AuditRecorder | None = None) -> None:
        super().__init__(session, Step.CHOOSE)
        self._client = client
        self._outbox = outbox
        self._clock = clock
        self._recent_days = recent_days
        self._audit = audit or AuditRecorder(None)

    def _rated(self) -> dict[str, str]:
        rated = self._session.get(_RATED)
        if rated is None:
            rated = {}
            self._session.put(_RATED, rated)
        return rated

    def offer(self, reference: str, service_name: Words,
              submitted_at: dt.datetime | None = None,
              service_id: str | None = None) -> RateTarget:
        """What another journey just did, to rate now (no I/O): a receipt number or the
        outbox reference of an application still waiting to be sent."""
        kind = progress_qr.kind_of(reference)
        if kind is None:
            raise ValueError("neither a receipt number nor an outbox reference")
        return RateTarget(reference, kind, service_name, submitted_at, service_id)

    def recent(self) -> list[RateTarget]:
        """The identified citizen's applications of the last `recent_days` days, newest first,
        without those rated already. Blocking: call from a worker."""
        with self._lock:
            found = citizens_applications(self._session, self._client)
            since = self._clock() - dt.timedelta(days=self._recent_days)
            rated = set(self._rated()) | self._rated_by_receipt_no()
            return [RateTarget(a.receipt_no, "receipt_no", both_languages(a.service_name),
                               a.submitted_at, a.service_id)
                    for a in found if a.submitted_at >= since and not a.evaluated
                    and a.receipt_no not in rated][:MAX_RECENT]

    def _rated_by_receipt_no(self) -> set[str]:
        """Receipt numbers of applications rated by their outbox reference (delivered since)."""
        found = set()
        for reference in self._rated():
            if progress_qr.kind_of(reference) != "outbox_reference":
                continue
            try:
                receipt_no = (self._outbox.find(reference).result or {}).get("receipt_no")
            except ItemNotFound:
                continue
            if isinstance(receipt_no, str):
                found.add(receipt_no)
        return found

    def is_rated(self, target: RateTarget) -> bool:
        return target.reference in self._rated()

    def rate(self, target: RateTarget, score: int, comment: str = "",
             indicators: Mapping[str, int] | None = None) -> Rated:
        """Queue the rating (the overall `score` and the `indicators` answered) in the outbox,
        once per application and session. Blocking."""
        with self._lock:
            if type(score) is not int or score not in SCORES:
                raise ValueError(f"score must be one of {SCORES}")
            answered = checked_indicators(indicators)
            comment = comment.strip()
            rated = self._rated()
            if target.reference in rated:
                raise JourneyProblem("journey.evaluation.rated", msgid=WORDS[
                    "journey.evaluation.rated"], detail="rated in this session")
            self._began(target.service_id or self.name)
            self._go(Step.RATING)
            if len(comment) > MAX_COMMENT:
                raise JourneyProblem("journey.evaluation.comment_too_long", msgid=WORDS[
                    "journey.evaluation.comment_too_long"], detail=f"{len(comment)} chars")
            field = "receipt_no" if target.kind == "receipt_no" else "application_reference"
            body: dict[str, object] = {field: target.reference, "score": score, **answered}
            if comment:
                body["comment"] = comment
            key = str(uuid.uuid4())
            try:
                queued = self._outbox.enqueue(
                    EVALUATION, with_filing_grant(self._session, body), idempotency_key=key)
            except DuplicateKey:  # cannot happen with a fresh key; be explicit all the same
                raise JourneyProblem("outbox.storage_failed", detail="key reused") from None
            except QueueRefused as exc:
                raise outbox_problem(exc.reason, exc.message) from None
            rated[target.reference] = queued.reference
            self._go(Step.RATED)
            self._completed()
            # the scores and the service only: no comment, no reference
            emit("rating_given", service=target.service_id, overall=score, **answered)
            log.info("session %s: rating of %s queued as %s", self._session.session_id,
                     target.reference, queued.reference)
            self._audit.citizen(self._session.session_id, "evaluation.queued",
                                application=target.reference, score=score, **answered,
                                comment=bool(comment), reference=queued.reference)
            return Rated(target, score, queued.reference, answered)


def evaluation_journey(terminal: Terminal, session: Session) -> EvaluationJourney:
    """An evaluation journey for `session` on this terminal."""
    if terminal.link is None:
        raise RuntimeError("evaluation needs the platform link")
    return EvaluationJourney(session, terminal.link.client, terminal.link.outbox,
                             audit=terminal.audit)
