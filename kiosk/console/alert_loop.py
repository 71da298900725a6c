"""The background thread that evaluates the alert rules and sends what is due, every few seconds.

A round that fails (database busy, a bug) is logged and the loop goes on: the loop never dies.
The period bounds the alert latency: an offline alert is raised at most `period_s` after the
terminal's silence passed `AlertRules.offline_after_s`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kiosk.console.alert_delivery import Channel, EmailChannel, WebhookChannel, deliver_due
from kiosk.console import rollouts
from kiosk.console.alerts import AlertRules, evaluate

log = logging.getLogger(__name__)


def channels_from_mapping(data: Mapping[str, Any]) -> list[Channel]:
    """[alerts.email] and [alerts.webhook] of the console's config, each optional."""
    found: list[Channel] = []
    if email := data.get("email"):
        found.append(EmailChannel(
            host=email["host"], port=int(email.get("port", 25)), sender=email["sender"],
            recipients=tuple(email["recipients"]), starttls=bool(email.get("starttls", False)),
            username=email.get("username"), password=email.get("password"),
            timeout_s=float(email.get("timeout_s", 10))))
    if hook := data.get("webhook"):
        found.append(WebhookChannel(
            url=hook["url"], secret=str(hook["secret"]).encode(),
            connect_timeout_s=float(hook.get("connect_timeout_s", 3)),
            read_timeout_s=float(hook.get("read_timeout_s", 5)),
            verify=hook.get("verify", True)))
    return found


@dataclass(frozen=True)
class AlertSettings:
    """The `[alerts]` table of the console's settings file (beside its `[console]` table):
    the rules' keys (kiosk.console.alerts.AlertRules), `period_s`, and the optional
    `[alerts.email]` / `[alerts.webhook]` channels."""
    rules: AlertRules = field(default_factory=AlertRules)
    channels: tuple[Channel, ...] = ()
    period_s: float = 5.0

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], heartbeat_interval_s: float | None = None
                     ) -> "AlertSettings":
        plain = {k: v for k, v in table.items() if k not in ("email", "webhook", "period_s")}
        if heartbeat_interval_s is not None:
            plain.setdefault("heartbeat_interval_s", heartbeat_interval_s)
        return cls(AlertRules.from_mapping(plain), tuple(channels_from_mapping(table)),
                   float(table.get("period_s", 5.0)))

    @classmethod
    def load(cls, path: str | Path | None, heartbeat_interval_s: float | None = None
             ) -> "AlertSettings":
        table = (tomllib.loads(Path(path).read_text(encoding="utf-8")).get("alerts", {})
                 if path else {})
        return cls.from_mapping(table, heartbeat_interval_s)

    def loop(self, engine: sa.Engine) -> "AlertLoop":
        return AlertLoop(engine, self.rules, self.channels, self.period_s)


class AlertLoop:
    """`AlertLoop(engine, rules, channels).start()`; `.stop()` ends it after the current round."""

    def __init__(self, engine: sa.Engine, rules: AlertRules, channels: Sequence[Channel],
                 period_s: float = 5.0,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.engine, self.rules, self.channels = engine, rules, list(channels)
        self.period_s, self.clock = period_s, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="console-alerts", daemon=True)

    def start(self) -> "AlertLoop":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def round(self) -> None:
        """One evaluation and one delivery pass (also what ingest may call after a write); a
        rollout whose ring turned unhealthy halts here too, without anyone opening its page."""
        evaluate(self.engine, self.rules, self.clock(), channels=[c.name for c in self.channels])
        rollouts.evaluate(self.engine, self.clock())
        deliver_due(self.engine, self.channels, self.clock())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:  # the loop keeps running whatever one round hit
                log.exception("alert round failed")
            self._stop.wait(self.period_s)
