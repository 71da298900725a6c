"""Alert delivery by e-mail (SMTP) and webhook (HMAC-signed JSON POST), from the delivery table.

Each raise and clear of an alert has one row per channel (kiosk.console.alert_tables); a row is
`pending` until its message went out, then `sent`. A failed round keeps the row pending with the
error and a later `next_at` (exponential backoff, capped), so an SMTP server or webhook that is
down gets the message once it is back, and a console restarted in between sends what was
pending and nothing that was sent. A crash between the send and the commit can send a message
twice: each carries its delivery id (Message-ID / X-Console-Delivery) for the receiver to drop
the twin. Within one round a send is tried a few times quickly (tenacity) before it waits.

The message is built from whitelisted fields only (`message`): the alert's kind, terminal id,
hall, times and the kind's whitelisted facts; nothing else of a heartbeat or event reaches it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import requests
import sqlalchemy as sa
from tenacity import Retrying, stop_after_attempt, wait_exponential

from kiosk.console.alert_tables import alert_deliveries, alerts
from kiosk.console.alerts import DETAIL_KEYS, utc

log = logging.getLogger(__name__)

TITLES = {
    "offline": "终端离线 terminal offline",
    "paper_low": "纸将尽 paper low",
    "paper_out": "缺纸 paper out",
    "device_needs_staff": "设备需人工处理 device needs staff",
    "outbox_stuck": "待发送数据积压 outbox stuck",
    "audit_mismatch": "审计链不符 audit head mismatch",
    "no_sessions": "营业时间内无人使用 no citizen sessions in opening hours",
}
BACKOFF_BASE_S, BACKOFF_CAP_S = 5.0, 600.0


def message(alert: Mapping[str, Any], transition: str, delivery_id: int) -> dict[str, Any]:
    """What a channel sends about an alert: whitelisted fields, never a copy of the inputs."""
    kind = str(alert["kind"])
    detail = alert.get("detail") or {}
    return {
        "delivery_id": int(delivery_id),
        "alert_id": int(alert["id"]),
        "transition": transition,
        "kind": kind,
        "title": TITLES.get(kind, kind),
        "kiosk_id": str(alert["kiosk_id"]),
        "hall": str(alert["hall"]),
        "raised_at": utc(alert["raised_at"]).isoformat(),
        "cleared_at": utc(alert["cleared_at"]).isoformat() if alert.get("cleared_at") else None,
        "detail": {k: detail[k] for k in DETAIL_KEYS.get(kind, ()) if k in detail},
    }


class Channel(Protocol):
    name: str

    def send(self, msg: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class EmailChannel:
    """SMTP: plain, or STARTTLS, with or without a login."""
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0
    name: str = "email"

    def send(self, msg: dict[str, Any]) -> None:
        mail = EmailMessage()
        verb = "恢复 cleared" if msg["transition"] == "cleared" else "告警 alert"
        mail["Subject"] = f"[{verb}] {msg['title']} — {msg['kiosk_id']} ({msg['hall']})"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Message-ID"] = f"<alert-delivery-{msg['delivery_id']}@kiosk-console>"
        lines = [f"{k}: {v}" for k, v in msg.items() if k != "detail"]
        lines += [f"detail.{k}: {json.dumps(v, ensure_ascii=False)}"
                  for k, v in msg["detail"].items()]
        mail.set_content("\n".join(lines) + "\n")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


@dataclass(frozen=True)
class WebhookChannel:
    """A JSON POST; the body's HMAC-SHA256 under `secret` in X-Console-Signature."""
    url: str
    secret: bytes
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 5.0
    verify: bool | str = True
    name: str = "webhook"

    def send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg, ensure_ascii=False, sort_keys=True).encode()
        response = requests.post(self.url, data=body, timeout=(self.connect_timeout_s,
                                                                self.read_timeout_s),
                                 verify=self.verify, headers={
                                     "Content-Type": "application/json",
                                     "X-Console-Delivery": str(msg["delivery_id"]),
                                     "X-Console-Signature": "sha256=" + sign(self.secret, body)})
        response.raise_for_status()


def sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def backoff_s(attempts: int) -> float:
    return min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)


def deliver_due(engine: sa.Engine, channels: Sequence[Channel], now: dt.datetime,
                quick_tries: int = 2, limit: int = 200) -> dict[str, int]:
    """Send every pending delivery whose time has come; count sent and still failing."""
    now = utc(now)
    by_name = {c.name: c for c in channels}
    counts = {"sent": 0, "failing": 0}
    with engine.connect() as conn:
        due = conn.execute(
            sa.select(alert_deliveries, alerts.c.kiosk_id, alerts.c.hall, alerts.c.kind,
                      alerts.c.detail, alerts.c.raised_at, alerts.c.cleared_at)
            .join(alerts, alerts.c.id == alert_deliveries.c.alert_id)
            .where(alert_deliveries.c.state == "pending", alert_deliveries.c.next_at <= now)
            .order_by(alert_deliveries.c.next_at, alert_deliveries.c.id).limit(limit)
        ).mappings().all()
    for row in due:
        channel = by_name.get(row["channel"])
        if channel is None:
            continue  # a channel no longer configured: kept pending, not lost
        msg = message({**row, "id": row["alert_id"]}, row["transition"], row["id"])
        try:
            for attempt in Retrying(stop=stop_after_attempt(quick_tries), reraise=True,
                                    wait=wait_exponential(multiplier=0.2, max=1.0)):
                with attempt:
                    channel.send(msg)
        except Exception as exc:  # any failure keeps the row for a later round
            attempts = row["attempts"] + 1
            error = f"{type(exc).__name__}: {exc}"[:200]
            log.warning("alert delivery %s (%s) failed, attempt %d: %s", row["id"],
                        row["channel"], attempts, type(exc).__name__)
            with engine.begin() as conn:
                conn.execute(alert_deliveries.update().where(alert_deliveries.c.id == row["id"])
                             .values(attempts=attempts, last_error=error,
                                     next_at=now + dt.timedelta(seconds=backoff_s(attempts))))
            counts["failing"] += 1
            continue
        with engine.begin() as conn:
            conn.execute(alert_deliveries.update().where(alert_deliveries.c.id == row["id"])
                         .values(state="sent", attempts=row["attempts"] + 1, sent_at=now,
                                 last_error=None))
        counts["sent"] += 1
    return counts


def deliveries_of(engine: sa.Engine, alert_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id)
            .order_by(alert_deliveries.c.id)).mappings()]
