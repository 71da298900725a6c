"""What each kind of outbox item becomes on the wire: the one bridge between the outbox and the
platform client.

Kinds and their bodies (what `Outbox.enqueue(kind, body)` is given):

- `application`: an `ApplicationCreate` without `client_reference`; the item's outbox reference
  (the one printed on the citizen's receipt) is filled in here, so the receipt and the
  platform's record name the same thing.
- `supplement`: `{"receipt_no" | "application_reference", "materials", "note"?}`.
- `evaluation`: `{"receipt_no" | "application_reference", "score", "efficiency"?,
  "competence"?, "attitude"?, "comment"?}`; a second
  rating of an application the platform refuses (409 already_evaluated) counts as done.
- `kiosk_events`: an `EventBatch` (the platform deduplicates on each event's id).

A body filed in a verified citizen session also carries `filing_grant`
(kiosk.session.platform_citizen): it is sent as the Filing-Grant header, not in the body, and
is what lets a platform that requires citizen sessions take the item after the citizen left.

`application_reference` names an application still in (or delivered through) this outbox, so a
citizen can evaluate or supplement before the platform's receipt number is known: the sender
keeps order within an application's group (`Delivery.order_group`), so by the time this item
is sent, the application has been delivered and its receipt number recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.client.errors import RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.faults import crash_point
from kiosk.config import KioskConfig
from kiosk.session.platform_citizen import GRANT_FIELD
from kiosk.outbox import ItemNotFound, Outbox, OutboxItem, Sender, backoff_from_config

APPLICATION, SUPPLEMENT, EVALUATION, KIOSK_EVENTS, COLLECTION = (
    "application", "supplement", "evaluation", "kiosk_events", "collection")
KINDS = (APPLICATION, SUPPLEMENT, EVALUATION, KIOSK_EVENTS, COLLECTION)


class UnknownKind(RequestRefused):
    """An item this version of the kiosk cannot send: set aside for staff, never retried."""


class Delivery:
    """`Sender`'s deliver function: `Delivery(client, outbox)(item, body) -> result`."""

    def __init__(self, client: PlatformClient, outbox: Outbox) -> None:
        self.client = client
        self.outbox = outbox
        self._by_kind: dict[str, Callable[[PlatformClient, OutboxItem, dict[str, Any]],
                                          dict[str, Any]]] = {
            APPLICATION: self._application,
            SUPPLEMENT: self._supplement,
            EVALUATION: self._evaluation,
            KIOSK_EVENTS: self._events,
            COLLECTION: self._collection,
        }

    def __call__(self, item: OutboxItem, body: dict[str, Any]) -> dict[str, Any]:
        send = self._by_kind.get(item.kind)
        if send is None:
            raise UnknownKind(f"outbox kind {item.kind!r} is not one this kiosk sends",
                              code="unknown_kind")
        body = dict(body)
        grant = body.pop(GRANT_FIELD, None)
        client = self.client.for_citizen(grant=grant) if isinstance(grant, str) else self.client
        crash_point("delivery.before_request")
        result = send(client, item, body)
        crash_point("delivery.after_response")
        return result

    def order_group(self, item: OutboxItem) -> str:
        """Which items must reach the platform in order (the Sender's lanes keep order within
        a group, and send different groups independently): an application and every item
        about it (by its reference, or by the receipt number it was given) are one group; a
        certificate's collection records one; event batches one; anything else stands alone.
        Fixed for an item's life: a receipt number, once given, names the same application."""
        if item.kind == APPLICATION:
            return f"application:{item.reference}"
        if item.kind == KIOSK_EVENTS:
            return "events"
        if item.kind in (SUPPLEMENT, EVALUATION):
            body = self.outbox.open_body(item)
            reference = body.get("application_reference")
            if isinstance(reference, str):
                return f"application:{reference}"
            receipt_no = body.get("receipt_no")
            if isinstance(receipt_no, str):
                ours = self.outbox.application_with_receipt(receipt_no)
                return f"application:{ours}" if ours else f"receipt:{receipt_no}"
        if item.kind == COLLECTION:
            certificate = self.outbox.open_body(item).get("certificate_id")
            if isinstance(certificate, str):
                return f"certificate:{certificate}"
        return f"item:{item.id}"

    def _application(self, client: PlatformClient, item: OutboxItem,
                     body: dict[str, Any]) -> dict[str, Any]:
        application = client.create_application(
            {**body, "client_reference": item.reference}, idempotency_key=item.idempotency_key)
        return {"receipt_no": application.receipt_no, "status": application.status,
                "due_date": str(application.due_date) if application.due_date else None}

    def _supplement(self, client: PlatformClient, item: OutboxItem,
                    body: dict[str, Any]) -> dict[str, Any]:
        receipt_no, rest = self._receipt_no(body)
        application = client.supplement_application(
            receipt_no, rest, idempotency_key=item.idempotency_key)
        return {"receipt_no": application.receipt_no, "status": application.status}

    def _evaluation(self, client: PlatformClient, item: OutboxItem,
                    body: dict[str, Any]) -> dict[str, Any]:
        """A rating. The platform keeps one per application: if it holds one already (rated on
        an earlier visit), this one is done with, not a problem for staff to look at."""
        receipt_no, rest = self._receipt_no(body)
        try:
            evaluation = client.create_evaluation(
                {**rest, "receipt_no": receipt_no}, idempotency_key=item.idempotency_key)
        except RequestRefused as exc:
            if exc.status == 409 and exc.code == "already_evaluated":
                return {"receipt_no": receipt_no, "already_evaluated": True}
            raise
        return {"evaluation_id": evaluation.evaluation_id, "receipt_no": receipt_no}

    def _collection(self, client: PlatformClient, item: OutboxItem,
                    body: dict[str, Any]) -> dict[str, Any]:
        """A certificate printed while the platform could not be told: recorded later, under
        the key the journey used for its first try (so the platform counts one collection)."""
        certificate = client.collect_certificate(
            body["certificate_id"], item.idempotency_key, body.get("reprint_reason"))
        return {"certificate_id": certificate.certificate_id,
                "print_count": certificate.print_count}

    def _events(self, client: PlatformClient, item: OutboxItem,
                body: dict[str, Any]) -> dict[str, Any]:
        outcome = client.post_events(body)
        return {"accepted": outcome.accepted, "duplicates": outcome.duplicates}

    def _receipt_no(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The platform's receipt number, from the body or from the delivered application the
        body names; the rest of the body without either."""
        rest = {k: v for k, v in body.items() if k not in ("receipt_no", "application_reference")}
        if isinstance(body.get("receipt_no"), str):
            return body["receipt_no"], rest
        reference = body.get("application_reference")
        if not isinstance(reference, str):
            raise RequestRefused("item names no application", code="no_application")
        try:
            result = self.outbox.find(reference).result or {}
        except ItemNotFound:
            raise RequestRefused("the application this item names is not in the outbox",
                                 code="no_application") from None
        receipt_no = result.get("receipt_no")
        if not isinstance(receipt_no, str):
            # Its application was refused or discarded: this item cannot go either.
            raise RequestRefused("the application this item belongs to was not delivered",
                                 code="application_not_delivered")
        return receipt_no, rest


def start_sender(config: KioskConfig, outbox: Outbox) -> Sender:
    """The running sender of a terminal: its outbox, sent by the platform client the
    configuration describes. The client makes one try per delivery: the outbox retries for
    itself, with its own backoff, and shows each failed attempt in the item's history."""
    client = PlatformClient.from_config(config, retries=0)
    sender = Sender(outbox, Delivery(client, outbox), backoff=backoff_from_config(config),
                    lanes=config.outbox.lanes, stuck_after_s=config.outbox.stuck_after_s)
    sender.start()
    return sender
