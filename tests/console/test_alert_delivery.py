"""Alerts arrive by e-mail at a local SMTP server and by webhook at a local HTTP server; a
receiver down and then up gets each message once, and a restarted console resends nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from kiosk.console import db
from kiosk.console.alert_delivery import EmailChannel, WebhookChannel, deliver_due, deliveries_of
from kiosk.console.alerts import AlertRules, evaluate, listing
from tests.console.rows import T0, beat, heartbeat
from tests.console.servers import Mailbox, Webhook

SECRET = b"webhook-secret"
SEC = dt.timedelta(seconds=1)


@pytest.fixture
def receivers():
    mailbox, hook = Mailbox(), Webhook(SECRET)
    yield mailbox, hook
    mailbox.stop()
    hook.close()


def channels(mailbox: Mailbox, hook: Webhook) -> list:
    return [EmailChannel(host="127.0.0.1", port=mailbox.port, sender="console@hall.example",
                         recipients=("staff@hall.example",), timeout_s=2),
            WebhookChannel(url=hook.url, secret=SECRET, connect_timeout_s=1, read_timeout_s=2)]


def test_mail_and_webhook_for_a_raise_and_a_clear(engine: sa.Engine, receivers) -> None:
    mailbox, hook = receivers
    mailbox.start()
    chans = channels(mailbox, hook)
    heartbeat(engine, "K1", T0, beat(paper="out"))
    evaluate(engine, AlertRules(), T0, channels=[c.name for c in chans])
    assert deliver_due(engine, chans, T0) == {"sent": 2, "failing": 0}
    [mail] = mailbox.messages
    assert "缺纸 paper out" in mail["Subject"] and "K1" in mail["Subject"]
    assert "kind: paper_out" in mail.get_content() and "hall: hall-a" in mail.get_content()
    [posted] = hook.received
    assert (posted["kind"], posted["kiosk_id"], posted["transition"]) == ("paper_out", "K1",
                                                                          "raised")
    heartbeat(engine, "K1", T0 + 60 * SEC, beat())
    evaluate(engine, AlertRules(), T0 + 61 * SEC, channels=[c.name for c in chans])
    assert deliver_due(engine, chans, T0 + 61 * SEC) == {"sent": 2, "failing": 0}
    assert [m["transition"] for m in hook.received] == ["raised", "cleared"]
    assert mailbox.messages[1]["Subject"].startswith("[恢复 cleared]")
    assert deliver_due(engine, chans, T0 + 3600 * SEC) == {"sent": 0, "failing": 0}


def test_receivers_down_then_up_get_each_message_once(tmp_path, receivers) -> None:
    """Both receivers down: the deliveries wait with their error and a backoff; a console
    restarted meanwhile (a new engine on the same store) sends them once both are back."""
    mailbox, hook = receivers
    url = f"sqlite:///{tmp_path / 'console.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    chans = channels(mailbox, hook)
    hook.down = True  # and the SMTP server is not listening yet
    heartbeat(engine, "K1", T0, beat(devices={"printer": "hardwareError"}))
    [alert_id] = evaluate(engine, AlertRules(), T0, channels=["email", "webhook"]).raised
    assert deliver_due(engine, chans, T0, quick_tries=2) == {"sent": 0, "failing": 2}
    assert deliver_due(engine, chans, T0 + SEC) == {"sent": 0, "failing": 0}  # backing off
    rows = deliveries_of(engine, alert_id)
    assert [(r["state"], r["attempts"]) for r in rows] == [("pending", 1), ("pending", 1)]
    assert "ConnectionRefusedError" in rows[0]["last_error"] and "503" in rows[1]["last_error"]
    assert hook.refused == 2  # tried twice within the round
    engine.dispose()

    restarted = db.connect(url)
    mailbox.start()
    hook.down = False
    assert deliver_due(restarted, chans, T0 + 10 * SEC) == {"sent": 2, "failing": 0}
    assert deliver_due(restarted, chans, T0 + 3600 * SEC) == {"sent": 0, "failing": 0}
    assert len(mailbox.messages) == 1 and len(hook.received) == 1
    assert hook.received[0]["detail"] == {"devices": {"printer": "hardwareError"}}
    assert mailbox.messages[0]["Message-ID"] == f"<alert-delivery-{rows[0]['id']}@kiosk-console>"
    assert [r["state"] for r in deliveries_of(restarted, alert_id)] == ["sent", "sent"]
    assert listing(restarted)[0]["kind"] == "device_needs_staff"
    restarted.dispose()


def test_a_forged_signature_is_what_the_receiver_refuses(receivers) -> None:
    """The receiver's check is real: the same message under another secret is refused."""
    _, hook = receivers
    msg = {"delivery_id": 1, "kind": "paper_low"}
    with pytest.raises(Exception, match="401"):
        WebhookChannel(url=hook.url, secret=b"not-the-secret").send(msg)
    WebhookChannel(url=hook.url, secret=SECRET).send(msg)
    assert hook.received == [msg]
